-- Picks one of several AdmissionReview bodies per request (allowed, denied, warned, mutated),
-- paces each connection to the rate run.sh asks for, and counts answers that are not a 200 review.
local bodies = {}
local paths = {}
local delay_ms = 0
local counters = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  delay_ms = tonumber(args[1]) or 0
  for i = 2, #args do
    local path, file = args[i]:match("^([^=]+)=(.+)$")
    local f = assert(io.open(file, "r"))
    table.insert(paths, path)
    table.insert(bodies, f:read("*a"))
    f:close()
  end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  ok, bad = 0, 0
end

function delay()
  return delay_ms
end

function request()
  local i = math.random(#bodies)
  return wrk.format("POST", paths[i], {["Content-Type"] = "application/json"}, bodies[i])
end

function response(status, headers, body)
  if status == 200 and body:find('"kind":"AdmissionReview"', 1, true) and body:find('"response"', 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local good, wrong = 0, 0
  for _, t in ipairs(threads) do
    good = good + t:get("ok")
    wrong = wrong + t:get("bad")
  end
  io.write(string.format("SOAK requests=%d valid=%d invalid=%d socket_errors=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, good, wrong,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
