/**
 * CPU accounting from /proc: per process (a registry), for this bench process with the children
 * it has reaped (wrk, sync), and for the whole machine, so each phase can show whether something
 * outside the bench was competing for the two cores while it ran.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const clockTicks = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** Fields of /proc/<pid>/stat after "pid (comm) ", so index 0 is field 3 (state). */
function statFields(pid: number | 'self'): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime + stime of a live process, in seconds. */
export function processCpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / clockTicks : NaN;
}

/** This process plus its waited-for children (utime, stime, cutime, cstime), in seconds. */
export function benchCpuSeconds(): number {
  const f = statFields('self');
  return f ? (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / clockTicks : NaN;
}

/**
 * CPU of process trees (utime, stime and the reaped children's cutime, cstime of every live
 * process under `roots`), in seconds: a backend such as PostgreSQL, whose per-connection
 * processes come and go, counted as one. A root that is gone counts nothing.
 */
export function treeCpuSeconds(roots: readonly number[]): number {
  if (roots.length === 0) return 0;
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return NaN;
  }
  for (const e of entries) {
    const f = statFields(Number(e));
    if (!f) continue; // gone meanwhile
    parent.set(Number(e), Number(f[1]));
    cpu.set(Number(e), (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / clockTicks);
  }
  const rootSet = new Set(roots);
  let total = 0;
  for (const [pid, seconds] of cpu) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (rootSet.has(p)) {
        total += seconds;
        break;
      }
    }
  }
  return total;
}

export interface MachineCpu {
  /** Seconds of CPU (summed over cores) spent busy: user, nice, system, irq, softirq. */
  busy: number;
  /** Seconds the hypervisor ran something else while we wanted the CPU. */
  steal: number;
}

export function machineCpu(): MachineCpu {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = v;
    return { busy: (user + nice + system + irq + softirq) / clockTicks, steal: steal / clockTicks };
  } catch {
    return { busy: NaN, steal: NaN };
  }
}

const quietBudget = { leftMs: 120_000 };

/**
 * Waits (at most `maxMs`, and at most two minutes over the whole run) until the machine's busy
 * CPU over a half-second window is below `fraction` of its capacity, so a phase does not start
 * while something else is running. Returns how long it waited, and whether it gave up.
 */
export async function waitForQuiet(cores: number, fraction = 0.15, maxMs = 15_000): Promise<{ waitedMs: number; quiet: boolean }> {
  const t0 = performance.now();
  const limit = Math.min(maxMs, quietBudget.leftMs);
  for (;;) {
    const a = machineCpu();
    await new Promise((r) => setTimeout(r, 500));
    const b = machineCpu();
    const waitedMs = performance.now() - t0;
    const quiet = (b.busy - a.busy) / (cores * 0.5) < fraction;
    if (quiet || waitedMs >= limit) {
      quietBudget.leftMs -= Math.max(0, waitedMs - 500);
      return { waitedMs, quiet };
    }
  }
}
