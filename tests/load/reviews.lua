-- wrk script: POSTs the recorded AdmissionReviews (REVIEWS, space-separated paths) to /validate in turn,
-- over wrk's fixed keep-alive connections. With RATE (requests/s over all connections) set, delay()
-- spaces each connection's requests to approximate that rate (wrk2 is not packaged; wrk's delay() is
-- added after each response, so the achieved rate is at most RATE and is reported, not assumed).
local bodies = {}
local requests = {}
local index = 0
local connections = tonumber(os.getenv("CONNECTIONS") or "16")
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
  -- per connection: connections/rate seconds between requests; wrk calls delay() per request per thread.
  local per_connection_ms = 1000.0 * connections / rate
  function delay()
    return per_connection_ms
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
