-- wrk script: like transact.lua (one event of ~500 bytes per request by default), plus one `max`
-- condition per append as in ../shared/bench's driver: "nothing for this subject since revision 0",
-- on a subject of its own per request, so it always holds. For comparing wrk with the Java driver
-- (docs/benchmarks.md#issue-17-the-rest-request-path).
-- Usage: DB=bench RUN=r1 wrk -t1 -c1 -d15s --latency -s transact-guarded.lua http://127.0.0.1:8080
local counter = 0
thread_id = 0
local threads = {}
local db = os.getenv("DB") or "bench"
local run = os.getenv("RUN") or tostring(os.time())
local payload = string.rep("x", 450)

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.path = "/api/v1/databases/" .. db .. "/transactions"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local subject = string.format("%s-t%d-s%d", run, thread_id, counter)
  local body = string.format(
    '{"events":[{"specversion":"1.0","id":"%s","source":"bench","subject":"%s","type":"Type0",' ..
    '"datacontenttype":"application/json","data":{"seq":%d,"pad":"%s"}}],' ..
    '"conditions":[{"type":"max","selector":{"type":"equals","attr":{"subject":"%s"}},"revision":0}]}',
    subject, subject, counter, payload, subject)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("requests: %d, errors (non-2xx or socket): %d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
  io.write(string.format("latency p50: %.2f ms, p99: %.2f ms, p99.9: %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
