-- wrk script: authenticated GET /api/v1/contacts/{id} on random seeded ids.
local token = os.getenv("BENCH_TOKEN")
local max_id = tonumber(os.getenv("BENCH_MAX_ID"))
local min_id = tonumber(os.getenv("BENCH_MIN_ID") or "1")
math.randomseed(os.time())
request = function()
  local id = math.random(min_id, max_id)
  return wrk.format("GET", "/api/v1/contacts/" .. id, {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  io.stderr:write(string.format("BENCH p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
