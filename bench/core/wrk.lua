-- wrk script for bench/core/run. BENCH_MODE picks the request:
--   get     authenticated GET /api/v1/contacts/{id} on random seeded ids
--   post    POST /api/v1/contacts (each acknowledged only once on disk)
--   static  the nginx reference: the URL as given
-- Each thread builds its requests once, at its start (POOL of them, GET's
-- ids drawn at random, POST's subjects numbered), and sends them in turn:
-- building a request in Lua for each one cost wrk about 4 µs of CPU per
-- request on the two cores it shares with the server, which nginx's static
-- request does not pay.
local mode = os.getenv("BENCH_MODE") or "static"
local token = os.getenv("BENCH_TOKEN")
local min_id = tonumber(os.getenv("BENCH_MIN_ID") or "1")
local max_id = tonumber(os.getenv("BENCH_MAX_ID") or "1")
local POOL = 16384
local pool, at = {}, 0

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

local function build(k)
  if mode == "get" then
    local id = math.random(min_id, max_id)
    return wrk.format("GET", "/api/v1/contacts/" .. id, {["Authorization"] = "Bearer " .. token})
  end
  local body = '{"channel":"email","subject":"bench ' .. (thread_no or 1) .. '-' .. k ..
    '","queue":"support","priority":2,"tags":["bench"],"message":"My router blinks red since this morning."}'
  return wrk.format("POST", "/api/v1/contacts",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

if mode == "get" or mode == "post" then
  init = function(args)
    math.randomseed(os.time() * 100 + (thread_no or 1))
    for k = 1, POOL do pool[k] = build(k) end
  end
  request = function()
    at = at % POOL + 1
    return pool[at]
  end
end

done = function(summary, latency, requests)
  io.stderr:write(string.format("BENCH p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
