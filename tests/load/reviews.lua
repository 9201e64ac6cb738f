-- wrk script: POSTs the recorded AdmissionReviews (REVIEWS, space-separated paths) to /validate in turn,
-- over wrk's fixed keep-alive connections. With RATE (requests/s over all threads) set, delay() holds
-- that rate: each thread keeps a schedule of send slots (RATE/THREADS per second, monotonic clock via
-- LuaJIT's ffi) and every request waits for the next free slot, whatever the previous response took.
-- wrk2 is not packaged; unlike wrk2 this does not correct latency for coordinated omission, and wrk
-- rounds delays down to whole milliseconds, so sends can be up to 1 ms early (the mean rate holds).
local bodies = {}
local requests = {}
local index = 0
local threads_n = tonumber(os.getenv("THREADS") or "2")
local rate = tonumber(os.getenv("RATE") or "0")

local function read(path)
  local f = assert(io.open(path, "rb"))
  local body = f:read("*a")
  f:close()
  return body
end

function init(args)
  for path in string.gmatch(os.getenv("REVIEWS") or "", "%S+") do
    bodies[#bodies + 1] = read(path)
  end
  assert(#bodies > 0, "REVIEWS names no files")
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format("POST", "/validate", { ["Content-Type"] = "application/json" }, body)
  end
end

function request()
  index = index % #requests + 1
  return requests[index]
end

if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } ag_timespec;
    int clock_gettime(int clk_id, ag_timespec *tp);
  ]]
  local ts = ffi.new("ag_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local interval_ms = 1000.0 * threads_n / rate
  local next_ms = nil
  function delay()
    local now = now_ms()
    -- Start the schedule, or restart it when more than a second behind rather than burst to catch up.
    if next_ms == nil or next_ms < now - 1000 then
      next_ms = now
    end
    local wait = next_ms - now
    next_ms = next_ms + interval_ms
    return wait > 0 and wait or 0
  end
end

function done(summary, latency, requests_)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%d status_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    errors, summary.errors.status))
end
