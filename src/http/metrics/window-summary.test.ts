import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { WindowSummary } from './window-summary.js';

function setup() {
  let clock = 1_000_000;
  const registry = new Registry();
  const s = new WindowSummary({ name: 'd_seconds', help: 'durations', labelNames: ['op'], percentiles: [0.5, 0.9, 0.99], maxAgeSeconds: 600, ageBuckets: 5, registers: [registry], now: () => clock });
  return { s, registry, tick: (ms: number) => (clock += ms) };
}

const line = (text: string, prefix: string) => Number(text.split('\n').find((l) => l.startsWith(prefix))?.split(' ').pop());

test('quantiles, sum and count in the summary exposition format', async () => {
  const { s, registry } = setup();
  for (let i = 1; i <= 100; i++) s.observe({ op: 'a' }, i / 100);
  const text = await registry.metrics();
  assert.match(text, /^# TYPE d_seconds summary$/m);
  assert.equal(line(text, 'd_seconds{op="a",quantile="0.5"}'), 0.5);
  assert.equal(line(text, 'd_seconds{op="a",quantile="0.9"}'), 0.9);
  assert.equal(line(text, 'd_seconds{op="a",quantile="0.99"}'), 0.99);
  assert.equal(line(text, 'd_seconds_count{op="a"}'), 100);
  assert.ok(Math.abs(line(text, 'd_seconds_sum{op="a"}') - 50.5) < 1e-9);
});

test('beyond the reservoir the quantiles stay close; series are kept apart', async () => {
  const { s, registry } = setup();
  for (let i = 0; i < 100_000; i++) s.observe({ op: 'big' }, (i % 1000) / 1000);
  s.observe({ op: 'other' }, 7);
  const text = await registry.metrics();
  assert.ok(Math.abs(line(text, 'd_seconds{op="big",quantile="0.5"}') - 0.5) < 0.1);
  assert.ok(Math.abs(line(text, 'd_seconds{op="big",quantile="0.9"}') - 0.9) < 0.06);
  assert.equal(line(text, 'd_seconds{op="other",quantile="0.99"}'), 7);
  assert.equal(line(text, 'd_seconds_count{op="big"}'), 100_000);
});

test('the window slides: old observations leave the quantiles, not the count', async () => {
  const { s, registry, tick } = setup();
  for (let i = 0; i < 50; i++) s.observe({ op: 'a' }, 10);
  tick(5 * 60_000);
  for (let i = 0; i < 50; i++) s.observe({ op: 'a' }, 1);
  let text = await registry.metrics();
  assert.equal(line(text, 'd_seconds{op="a",quantile="0.99"}'), 10, 'both halves are in the 10-minute window');
  tick(6 * 60_000);
  text = await registry.metrics();
  assert.equal(line(text, 'd_seconds{op="a",quantile="0.99"}'), 1, 'the first half has aged out');
  tick(10 * 60_000);
  text = await registry.metrics();
  // prom-client writes NaN as "Nan"; Prometheus parses floats case-insensitively.
  assert.match(text, /^d_seconds\{op="a",quantile="0.5"\} nan$/im);
  assert.equal(line(text, 'd_seconds_count{op="a"}'), 100);
});
