import { fmt, type Row, type WorkloadContext } from './workloads.js';

/** 8. Quota accounting's cost inside a manifest PUT's transaction, Haven only (issue 9: under 1 ms). */
export async function quotaCost(ctx: WorkloadContext): Promise<Row[]> {
  if (!ctx.cfg.targets.includes('haven')) return [];
  // Loaded only now: the database stack in the bench process slowed its own loopback and
  // verifying pull client two- to threefold (measured), which skewed every earlier workload.
  const { measureQuotaCost, pct } = await import('./quota-cost.js');
  const count = Number(process.env.BENCH_QUOTA_MANIFESTS ?? (ctx.cfg.quick ? 200 : 2000));
  const r = await measureQuotaCost(count);
  const title = `8. Quota accounting in a manifest PUT, ${count.toLocaleString('en-US')} manifests per case over ${r.ledgerRows.toLocaleString('en-US')} ledger rows, Haven only`;
  const baseline = r.cases.find((c) => c.charge.length === 0)!;
  return r.cases
    .filter((c) => c.charge.length > 0)
    .map((c) => {
      ctx.log(`  haven: ${c.name}: chargeManifest p50 ${pct(c.charge, 50).toFixed(3)} ms, p99 ${pct(c.charge, 99).toFixed(3)} ms`);
      return {
        workload: 'quota' as const,
        title,
        metric: `chargeManifest p50, ${c.name}`,
        unit: 'ms',
        kind: 'latency' as const,
        better: 'lower' as const,
        values: { haven: pct(c.charge, 50) },
        maxValue: 1,
        notes: { haven: `p99 ${fmt(pct(c.charge, 99))} ms; whole transaction p50 ${fmt(pct(c.tx, 50))} ms vs ${fmt(pct(baseline.tx, 50))} ms without the charge` },
      };
    });
}
