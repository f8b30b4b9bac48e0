-- wrk script: POST /api/v1/contacts, each acknowledged only once on disk.
local token = os.getenv("BENCH_TOKEN")
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"channel":"email","subject":"bench ' .. counter .. '","queue":"support","priority":2,"tags":["bench"],"message":"My router blinks red since this morning."}'
  return wrk.format("POST", "/api/v1/contacts",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  io.stderr:write(string.format("BENCH p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
