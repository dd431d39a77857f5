import type { Progress } from '../platform/progress.js';
import { formatSize } from '../platform/size.js';

/**
 * Progress on stderr: a redrawn bar on a terminal; elsewhere (logs, CI) one line per phase start,
 * one every `everyMs`, and one at its end, so a pipe is never flooded with carriage returns.
 */
export function stderrProgress(out: NodeJS.WriteStream = process.stderr, everyMs = 5000): Progress {
  const tty = out.isTTY === true;
  let label = '';
  let total = 0;
  let bytes = false;
  let doneUnits = 0;
  let count: { total: number; noun: string } | undefined;
  let doneItems = 0;
  let lastDraw = 0;
  let open = false;

  const amount = (n: number) => (bytes ? formatSize(n) : String(n));
  let phaseStart = 0;
  const line = () => {
    const pct = total > 0 ? Math.min(100, Math.floor((doneUnits / total) * 100)) : 100;
    // A rate and what is left once there is a second of history to base them on.
    const seconds = (Date.now() - phaseStart) / 1000;
    const rate = seconds >= 1 && doneUnits > 0 ? doneUnits / seconds : 0;
    const speed = rate > 0 ? `, ${bytes ? `${formatSize(rate)}/s` : `${Math.round(rate)}/s`}${doneUnits < total ? `, ${Math.ceil((total - doneUnits) / rate)}s left` : ''}` : '';
    const items = count ? `, ${doneItems}/${count.total} ${count.noun}` : '';
    return { pct, text: `${label}: ${amount(doneUnits)}/${amount(total)} (${pct}%)${items}${speed}` };
  };
  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < (tty ? 100 : everyMs)) return;
    lastDraw = now;
    const { pct, text } = line();
    if (tty) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      out.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
    } else {
      out.write(`${text}\n`);
    }
  };
  const finish = () => {
    if (!open) return;
    open = false;
    draw(true);
    if (tty) out.write('\n');
  };
  return {
    phase(l, t, opts = {}) {
      finish();
      label = l;
      total = t;
      bytes = opts.bytes === true;
      count = opts.count;
      doneUnits = 0;
      doneItems = 0;
      phaseStart = Date.now();
      open = true;
      draw(true);
    },
    advance(n, items = 0) {
      doneUnits += n;
      doneItems += items;
      draw(false);
    },
    done: finish,
  };
}
