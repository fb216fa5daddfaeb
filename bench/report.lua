-- wrk reporter: one JSON line with throughput and latency percentiles (microseconds).
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_us": %d, "p95_us": %d, "p99_us": %d, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
