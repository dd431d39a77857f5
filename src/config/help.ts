import type { z } from 'zod';
import { envName, flagName } from './load.js';
import { configKeys, configSchema, duration } from './schema.js';

export interface KeyHelp {
  key: string;
  flag: string;
  env: string;
  description: string;
  /** The default as a user would write it ("30m", "0.0.0.0:5000"); empty when it is empty. */
  defaultText: string;
}

type Node = z.ZodType & { _zod: { def: { type: string; innerType?: Node; in?: Node; shape?: Record<string, Node> } } };

/** The wrappers around a key's schema, outermost first (defaults, prefaults, transforms). */
function layers(node: Node): Node[] {
  const out: Node[] = [];
  for (let n: Node | undefined = node; n; n = n._zod.def.innerType ?? n._zod.def.in) out.push(n);
  return out;
}

function leaf(key: string): Node[] {
  let node = configSchema as unknown as Node;
  for (const part of key.split('.')) {
    const object = layers(node).find((n) => n._zod.def.type === 'object') as (Node & { shape: Record<string, Node> }) | undefined;
    const next = object?.shape[part];
    if (!next) throw new Error(`config key ${key} is not in the schema`);
    node = next;
  }
  return layers(node);
}

function durationText(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A mapping default (jobs.concurrency) as its variable takes it: TYPE=n,TYPE=n. */
function pairsText(map: Record<string, unknown>): string {
  return Object.entries(map)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

/** Every config key with its flag, variable, description (from the schema) and default. */
export function configHelp(): KeyHelp[] {
  const defaults = configSchema.parse({}) as Record<string, unknown>;
  return configKeys.map((key) => {
    const chain = leaf(key);
    let value: unknown = defaults;
    for (const part of key.split('.')) value = (value as Record<string, unknown>)[part];
    const isDuration = chain.includes(duration as unknown as Node);
    const defaultText = isDuration ? durationText(value as number) : value === '' ? '' : typeof value === 'object' && value !== null ? pairsText(value as Record<string, unknown>) : String(value);
    return { key, flag: flagName(key), env: envName(key), description: chain.find((n) => n.description)?.description ?? '', defaultText };
  });
}

/** Width of the option column in help texts: the longest serve flag, with room to spare. */
export const optionColumn = Math.max(...configKeys.map((k) => `  --${flagName(k)} <value>`.length)) + 2;

/** One option of a help text: the flag, then its description and a second line of details. */
export function optionLine(flag: string, description: string, details = ''): string {
  const pad = ' '.repeat(optionColumn);
  return `${flag.padEnd(optionColumn)}${description}${details ? `\n${pad}${details}` : ''}`;
}

/** The option lines of `haven serve --help`: flag, description, then default and variable. */
export function configOptionLines(): string {
  return configHelp()
    .map((h) => optionLine(`  --${h.flag} <value>`, h.description, `${h.defaultText ? `default ${h.defaultText}; ` : ''}env ${h.env}`))
    .join('\n');
}
