-- wrk script: GET a page of 100 events (JSON) of a random subject s-00000 .. s-<SUBJECTS-1> of
-- database DB (default q), as bench/rest/query-1m.sh loads it (issue 17's query goal).
-- Usage: DB=q SUBJECTS=10000 wrk -t2 -c8 -d30s --latency -s query-subject.lua http://127.0.0.1:8080
local db = os.getenv("DB") or "q"
local subjects = tonumber(os.getenv("SUBJECTS") or "10000")
local limit = os.getenv("LIMIT") or "100"
local base = "/api/v1/databases/" .. db .. "/events?limit=" .. limit .. "&subject="
local headers = { ["Accept"] = "application/json" }
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init(args) math.randomseed(os.time() * 131 + (id or 0)) end
function request()
  return wrk.format("GET", base .. string.format("s-%05d", math.random(0, subjects - 1)), headers)
end
function done(summary, latency, requests)
  io.write(string.format("requests: %d, errors (non-2xx or socket): %d\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("latency p50: %.3f ms, p99: %.3f ms, p99.9: %.3f ms, max: %.3f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
