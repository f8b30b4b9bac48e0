-- wrk script: the nginx reference, a static file of the same size.
done = function(summary, latency, requests)
  io.stderr:write(string.format("BENCH p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
