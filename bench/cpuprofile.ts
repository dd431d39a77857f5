/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): where the time went, by function (self
 * and inclusive) and by package, optionally cut into the bench's phases.
 *
 *   BENCH_TARGETS=haven BENCH_HAVEN_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench
 *   node --import tsx bench/cpuprofile.ts /tmp/prof/CPU.*.cpuprofile --phases /tmp/prof/phases.json
 *
 * Phase times and profile samples are both CLOCK_MONOTONIC microseconds, so they line up.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Phase } from './workloads.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface Sample {
  node: number;
  time: number;
  /** Microseconds this sample stands for (the gap to the next one). */
  weight: number;
}

const special = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function where(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

function functionKey(n: ProfileNode): string {
  const f = n.callFrame;
  const name = f.functionName || '(anonymous)';
  if (special.has(name) || !f.url) return name;
  return `${name}  ${where(f.url)}:${f.lineNumber + 1}`;
}

/** Which body of code a frame belongs to: a package, Haven, node's internals or V8/native. */
function packageOf(n: ProfileNode): string {
  const { url, functionName } = n.callFrame;
  if (special.has(functionName)) return functionName;
  if (!url) return '(native / V8 builtins)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/dist/')) return 'haven (dist/)';
  return url;
}

function samplesOf(p: CpuProfile): Sample[] {
  const out: Sample[] = [];
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    out.push({ node: p.samples[i]!, time: t, weight: 0 });
  }
  for (let i = 0; i < out.length; i++) out[i]!.weight = i + 1 < out.length ? out[i + 1]!.time - out[i]!.time : 0;
  return out;
}

function top(map: Map<string, number>, n: number): Array<[string, number]> {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function summarise(p: CpuProfile, samples: Sample[], topN: number): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let total = 0;
  let idle = 0;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const packages = new Map<string, number>();
  for (const s of samples) {
    const node = byId.get(s.node);
    if (!node) continue;
    total += s.weight;
    if (node.callFrame.functionName === '(idle)') {
      idle += s.weight;
      continue;
    }
    const k = functionKey(node);
    self.set(k, (self.get(k) ?? 0) + s.weight);
    const pkg = packageOf(node);
    packages.set(pkg, (packages.get(pkg) ?? 0) + s.weight);
    const seen = new Set<string>();
    for (let id: number | undefined = s.node; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      const key = functionKey(n);
      if (key === '(root)' || seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + s.weight);
    }
  }
  const busy = total - idle;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const pct = (us: number) => `${busy > 0 ? ((us / busy) * 100).toFixed(1).padStart(5) : '  -  '}%`;
  const lines = [
    `  wall ${(total / 1e6).toFixed(2)} s, main thread busy ${(busy / 1e6).toFixed(2)} s (${total > 0 ? ((busy / total) * 100).toFixed(0) : 0}%), idle ${(idle / 1e6).toFixed(2)} s`,
    `  by package (self time, % of busy):`,
    ...top(packages, 12).map(([k, v]) => `    ${ms(v)} ${pct(v)}  ${k}`),
    `  hottest functions (self time):`,
    ...top(self, topN).map(([k, v]) => `    ${ms(v)} ${pct(v)}  ${k}`),
    `  hottest call paths (inclusive time):`,
    ...top(inclusive, topN).map(([k, v]) => `    ${ms(v)} ${pct(v)}  ${k}`),
  ];
  return lines.join('\n');
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { phases: { type: 'string' }, top: { type: 'string' }, target: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/cpuprofile.ts PROFILE.cpuprofile [--phases phases.json] [--top 25]\n');
    process.exit(2);
  }
  const topN = Number(values.top ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const samples = samplesOf(profile);
  process.stdout.write(`${file}\n\nwhole profile:\n${summarise(profile, samples, topN)}\n`);
  if (values.phases) {
    const target = values.target ?? 'haven';
    const phases = (JSON.parse(readFileSync(values.phases, 'utf8')) as Phase[]).filter((p) => p.target === target);
    for (const ph of phases) {
      const inside = samples.filter((s) => s.time >= ph.startUs && s.time <= ph.endUs);
      if (inside.length === 0) {
        process.stdout.write(`\nphase "${ph.name}": no samples (profile ${profile.startTime}–${profile.endTime} µs, phase ${ph.startUs}–${ph.endUs})\n`);
        continue;
      }
      process.stdout.write(`\nphase "${ph.name}" (${ph.wallSeconds.toFixed(2)} s, server CPU ${ph.serverCpuSeconds.toFixed(2)} s):\n${summarise(profile, inside, topN)}\n`);
    }
  }
}

main();
