-- wrk script of `make bench-check`: POSTs to the citizens' check, bodies read from the file
-- named by the first argument (one JSON body a line), each from a random client address
-- (X-Forwarded-For, behind one trusted proxy), so the per-client limit is counted but not hit.
local bodies = {}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  counter = id * 7919
  math.randomseed(id * 1000003 + os.time())
  ok, limited, other = 0, 0, 0
end

function request()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  local ip = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("POST", "/api/cek-dukungan/",
    {["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip}, body)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1
  elseif status == 429 then limited = limited + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local sums = {ok = 0, limited = 0, other = 0}
  for _, t in ipairs(threads) do
    sums.ok = sums.ok + t:get("ok")
    sums.limited = sums.limited + t:get("limited")
    sums.other = sums.other + t:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "ok": %d, "limited": %d, "other": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, sums.ok, sums.limited, sums.other,
    e.connect + e.read + e.write + e.timeout))
end
