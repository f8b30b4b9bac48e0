-- wrk script for bench/core/run. BENCH_MODE picks the request:
--   get     authenticated GET /api/v1/contacts/{id} on random seeded ids
--   post    POST /api/v1/contacts (each acknowledged only once on disk)
--   static  the nginx reference: the URL as given
local mode = os.getenv("BENCH_MODE") or "static"
local token = os.getenv("BENCH_TOKEN")
local min_id = tonumber(os.getenv("BENCH_MIN_ID") or "1")
local max_id = tonumber(os.getenv("BENCH_MAX_ID") or "1")
local counter = 0
math.randomseed(os.time())

if mode == "get" then
  request = function()
    local id = math.random(min_id, max_id)
    return wrk.format("GET", "/api/v1/contacts/" .. id, {["Authorization"] = "Bearer " .. token})
  end
elseif mode == "post" then
  request = function()
    counter = counter + 1
    local body = '{"channel":"email","subject":"bench ' .. counter .. '","queue":"support","priority":2,"tags":["bench"],"message":"My router blinks red since this morning."}'
    return wrk.format("POST", "/api/v1/contacts",
      {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
  end
end

done = function(summary, latency, requests)
  io.stderr:write(string.format("BENCH p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
