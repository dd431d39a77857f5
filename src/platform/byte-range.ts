/** An inclusive byte range, as HTTP Range speaks it: shared by storage, content, services and http. */
export interface ByteRange {
  start: number;
  end: number;
}
