import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import { guarded } from '../platform/redis/client.js';
import { luaScript } from '../platform/redis/lua.js';
import { throttleRules, type LoginThrottle, type ThrottleRules } from './login-throttle.js';

/**
 * The rules of `createLoginThrottle` (login-throttle.ts, read it first), with the counts in
 * Redis so that every instance sees every failure. Each operation is one Lua script, so it is
 * atomic: two instances counting failures at once cannot both hand out the last free attempt.
 * An entry is a hash {f: failures, u: lockedUntil, l: last}, expiring `forgetMs` after its last
 * failure (the `l` check applies the same rule for callers passing their own `now`).
 */
const common = `
local now = tonumber(ARGV[1])
local forget = tonumber(ARGV[2])
local function current(k)
  local v = redis.call('HMGET', k, 'f', 'u', 'l')
  if not v[3] or now - tonumber(v[3]) > forget then return nil end
  return { f = tonumber(v[1]), u = tonumber(v[2]) }
end
`;

// KEYS: pair, ip, account. The account's wait counts only for a client that has failed on it.
const retryAfterScript = luaScript(`${common}
local function wait(e) if e then return math.max(0, e.u - now) else return 0 end end
local pair = current(KEYS[1])
local r = math.max(wait(pair), wait(current(KEYS[2])))
if pair then r = math.max(r, wait(current(KEYS[3]))) end
return r
`);

// KEYS: pair, ip, account; ARGV[3..5]: their free failures; ARGV[6], ARGV[7]: baseMs, maxMs.
const failedScript = luaScript(`${common}
local base = tonumber(ARGV[6])
local max = tonumber(ARGV[7])
for i = 1, 3 do
  local e = current(KEYS[i]) or { f = 0, u = 0 }
  local free = tonumber(ARGV[2 + i])
  e.f = e.f + 1
  if e.f > free then e.u = now + math.min(max, base * 2 ^ math.min(30, e.f - free - 1)) end
  redis.call('HSET', KEYS[i], 'f', e.f, 'u', e.u, 'l', now)
  redis.call('PEXPIRE', KEYS[i], forget)
end
return 0
`);

export function createRedisLoginThrottle(
  redis: Redis,
  opts: Partial<ThrottleRules> & { prefix?: string; log?: Logger } = {},
): LoginThrottle {
  const prefix = opts.prefix ?? 'haven:login:';
  const { freeFailures, freeIpFailures, freeAccountFailures, baseMs, maxMs, forgetMs } = throttleRules(opts);
  const keys = (account: string, ip: string) => [`${prefix}p:${account}\0${ip}`, `${prefix}ip:${ip}`, `${prefix}a:${account}`];

  return {
    async retryAfter(account, ip, now = Date.now()) {
      const r = await guarded(opts.log, 'login throttle', () => retryAfterScript(redis, keys(account, ip), [now, forgetMs]));
      return Number(r);
    },
    async failed(account, ip, now = Date.now()) {
      await guarded(opts.log, 'login throttle', () =>
        failedScript(redis, keys(account, ip), [now, forgetMs, freeFailures, freeIpFailures, freeAccountFailures, baseMs, maxMs]),
      );
    },
    async succeeded(account, ip) {
      await guarded(opts.log, 'login throttle', () => redis.del(keys(account, ip)[0]!));
    },
  };
}
