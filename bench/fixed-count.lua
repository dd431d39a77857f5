-- wrk script for bench/load.ts: stop each thread after a fixed number of responses, verify every
-- response, and report the exact interval the thread ran (wrk itself only knows its -d duration).
-- Arguments (after --): limit method expect-body-file|- expect-digest|- [header lines "Name: value"...]
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec_t;
int clock_gettime(int clk_id, bench_timespec_t *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec_t")
local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local limit, count, bad, t0 = 0, 0, 0, 0
local expect_body, expect_digest = nil, nil

function init(args)
  limit = tonumber(args[1])
  wrk.method = args[2]
  if args[3] ~= "-" then
    local f = assert(io.open(args[3], "rb"))
    expect_body = f:read("*a")
    f:close()
  end
  if args[4] ~= "-" then expect_digest = args[4] end
  for i = 5, #args do
    local name, value = string.match(args[i], "^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
  t0 = now()
end

function response(status, headers, body)
  count = count + 1
  local ok = status == 200
  if ok and expect_digest then
    local d = headers["Docker-Content-Digest"] or headers["docker-content-digest"]
    ok = d == expect_digest
  end
  if ok and expect_body then ok = body == expect_body end
  if not ok then bad = bad + 1 end
  if count == limit then
    io.write(string.format("BENCH-THREAD %d %d %.6f %.6f\n", count, bad, t0, now()))
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH-DONE %d %d %d %d %d %d %d %d\n", summary.requests, e.status,
    latency:percentile(50), latency:percentile(99), e.connect, e.read, e.write, e.timeout))
  io.flush()
end
