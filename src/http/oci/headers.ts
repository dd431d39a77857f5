/** Builds absolute-path Location values; with an external URL configured they become absolute. */
export function locations(externalUrl: string) {
  const base = externalUrl.replace(/\/+$/, '');
  return {
    blob: (name: string, digest: string) => `${base}/v2/${name}/blobs/${digest}`,
    upload: (name: string, id: string) => `${base}/v2/${name}/blobs/uploads/${id}`,
    manifest: (name: string, digest: string) => `${base}/v2/${name}/manifests/${digest}`,
  };
}

/** The Range header of an upload that holds `offset` bytes. */
export function uploadRange(offset: number): string {
  return `0-${Math.max(offset - 1, 0)}`;
}

export function nextLink(path: string, n: number | undefined, last: string): string {
  const q = new URLSearchParams();
  if (n !== undefined) q.set('n', String(n));
  q.set('last', last);
  return `<${path}?${q.toString()}>; rel="next"`;
}
