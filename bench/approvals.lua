-- wrk script: approve a different approval instance with every request.
--
--   wrk -t2 -c16 -d10s -s bench/approvals.lua URL -- FIRST_ID COUNT THREADS TOKEN
--
-- The ids FIRST_ID .. FIRST_ID+COUNT-1 are split into one range per thread (thread-indexed,
-- so no two requests ever act on the same instance); within a thread the requests take the
-- ids in turn. A thread that runs out of ids stops and the run is marked exhausted (the pool
-- was too small and the figures are not valid). Prints one WRKJSON line with throughput,
-- latency percentiles (microseconds), the ids used per thread and the answers by class.

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local first = tonumber(args[1])
  local count = tonumber(args[2])
  local per = math.floor(count / tonumber(args[3]))
  first_id = first + index * per
  next_id = first_id
  limit = first_id + per
  headers = {
    ["Authorization"] = "Token " .. args[4],
    ["Content-Type"] = "application/json",
  }
  body = '{"kind": "approve", "payload": {"opinion": "同意"}}'
  ok = 0
  conflicts = 0
  other = 0
  exhausted = 0
end

function request()
  if next_id >= limit then
    exhausted = 1
    wrk.thread:stop()
    -- wrk still needs a request; a GET that changes nothing
    return wrk.format("GET", "/healthz")
  end
  local id = next_id
  next_id = next_id + 1
  return wrk.format("POST", "/api/workflow/instances/" .. id .. "/act/", headers, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  elseif status == 409 then
    conflicts = conflicts + 1
  else
    other = other + 1
  end
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local ok_total, conflicts_total, other_total, exhausted_any = 0, 0, 0, 0
  local ranges = {}
  for _, thread in ipairs(threads) do
    ok_total = ok_total + thread:get("ok")
    conflicts_total = conflicts_total + thread:get("conflicts")
    other_total = other_total + thread:get("other")
    exhausted_any = math.max(exhausted_any, thread:get("exhausted"))
    table.insert(ranges, string.format("[%d, %d]", thread:get("first_id"), thread:get("next_id")))
  end
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_us": %d, "p95_us": %d, "p99_us": %d, "non_2xx": %d, "socket_errors": %d, "ok": %d, "conflicts": %d, "other_non_2xx": %d, "exhausted": %d, "thread_ranges": [%s]}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    ok_total, conflicts_total, other_total, exhausted_any, table.concat(ranges, ", ")))
end
