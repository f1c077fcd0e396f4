-- wrk script: GET a page of 100 events (JSON) from database DB (default p), the query half of issue 17.
-- Usage: DB=bench wrk -t2 -c8 -d15s --latency -s query-page.lua http://127.0.0.1:8080
wrk.method = "GET"
wrk.path = "/api/v1/databases/" .. (os.getenv("DB") or "p") .. "/events?limit=100"
wrk.headers["Accept"] = "application/json"
local statuses = {}
function response(status, headers, body) if status ~= 200 then statuses[status] = (statuses[status] or 0) + 1 end end
function done(summary, latency, requests)
  io.write(string.format("requests: %d, errors (non-2xx or socket): %d\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("latency p50: %.2f ms, p99: %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
