-- wrk script: POST /api/v1/databases/<db>/transactions with BATCH events per request.
-- Every event id is unique (thread number + counter), subjects cycle over 10,000 entities.
-- Usage: DB=bench BATCH=25 RUN=r1 wrk -t2 -c16 -d30s -s transact.lua http://127.0.0.1:8080
-- RUN must differ between runs against one database (it is part of every event id).
-- GUARDED=1 adds one `max` condition per request as in ../shared/bench's driver ("nothing for this
-- subject since revision 0"), each event then on a subject of its own, so the condition always
-- holds (bench/rest/client-cost.sh compares wrk with the Java driver this way). PAD is the length
-- of each event's padding string (default 150; 450 gives events of about 500 bytes).
local counter = 0
thread_id = 0 -- global: setup() sets it per thread
local threads = {}
local db = os.getenv("DB") or "bench"
local batch = tonumber(os.getenv("BATCH") or "25")
local run = os.getenv("RUN") or tostring(os.time())
local guarded = os.getenv("GUARDED") == "1"
local payload = string.rep("x", tonumber(os.getenv("PAD") or "150"))

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
  local events = {}
  local conditions = ""
  for i = 1, batch do
    counter = counter + 1
    local id = string.format("%s-t%d-%d", run, thread_id, counter)
    local subject = string.format("order-%d", (counter * 7919 + thread_id) % 10000)
    if guarded then
      subject = id
      if i == 1 then
        conditions = string.format(
          ',"conditions":[{"type":"max","selector":{"type":"equals","attr":{"subject":"%s"}},"revision":0}]',
          subject)
      end
    end
    events[i] = string.format(
      '{"specversion":"1.0","id":"%s","source":"https://bench.example/orders","type":"OrderPlaced",' ..
      '"subject":"%s","datacontenttype":"application/json","data":{"n":%d,"pad":"%s"}}',
      id, subject, counter, payload)
  end
  return wrk.format(nil, nil, nil, '{"events":[' .. table.concat(events, ",") .. ']' .. conditions .. '}')
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local events = summary.requests * batch
  io.write(string.format("requests: %d, errors (non-2xx or socket): %d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
  io.write(string.format("events/s: %.0f (batch %d)\n", events / (summary.duration / 1e6), batch))
  io.write(string.format("latency p50: %.2f ms, p99: %.2f ms, p99.9: %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
