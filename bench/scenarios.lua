-- The benchmark's scenarios for wrk, run by bench/run:
--
--   wrk -t2 -c64 -d20s -H "Authorization: Bearer $KEY" -s bench/scenarios.lua http://localhost:18180 \
--       -- SCENARIO IDS_FILE TAG
--
-- SCENARIO: read     GET /v1/products/{id}, a uniformly random id of IDS_FILE (one id a line)
--           list     GET /v1/products?limit=50
--           adjust   POST /v1/products/{id}/stock/adjustments {"delta":-1,"reason":"SOLD"}, random id
--           hot      the same, always on the first id of IDS_FILE
--           mixed    90 % read, 10 % adjust
--           create   POST /v1/products with a fresh SKU (bench-TAG-<thread>-<n>: TAG must differ between runs)
--           checkout POST /v1/reservations of 1 unit of a random product, then POST /v1/reservations/{id}/commit
--                    of it on the next request, over and over
-- The Authorization header given with -H is sent on every request. After the run, one line for bench/run:
--   RESULT requests=.. seconds=.. rps=.. p50_ms=.. p99_ms=.. s2xx=.. s200=.. s201=.. non2xx=.. socket_errors=..
-- s201 counts the 201s (the units taken by adjust, hot, mixed); for checkout, s200 counts the commits.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local function headers(extra)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function init(args)
  scenario = args[1]
  local file = args[2]
  tag = args[3] or "x"
  ids = {}
  if file and file ~= "" then
    for line in io.lines(file) do
      if line ~= "" then ids[#ids + 1] = line end
    end
  end
  if #ids == 0 and scenario ~= "list" and scenario ~= "create" then
    error("no product ids in '" .. tostring(file) .. "'")
  end
  s2xx, s200, s201, non2xx, n = 0, 0, 0, 0, 0
  pending = {}
  math.randomseed(os.time() * 100 + tid)
  plain = headers()
  json = headers({ ["Content-Type"] = "application/json" })
  sold = '{"delta":-1,"reason":"SOLD"}'
  if scenario == "list" then
    fixed = wrk.format("GET", "/v1/products?limit=50", plain)
  elseif scenario == "hot" then
    fixed = wrk.format("POST", "/v1/products/" .. ids[1] .. "/stock/adjustments", json, sold)
  elseif not (scenario == "read" or scenario == "adjust" or scenario == "mixed" or scenario == "create"
              or scenario == "checkout") then
    error("unknown scenario '" .. tostring(scenario) .. "'")
  end
end

local function read()
  return wrk.format("GET", "/v1/products/" .. ids[math.random(#ids)], plain)
end

local function adjust()
  return wrk.format("POST", "/v1/products/" .. ids[math.random(#ids)] .. "/stock/adjustments", json, sold)
end

function request()
  if fixed then
    return fixed
  elseif scenario == "read" then
    return read()
  elseif scenario == "adjust" then
    return adjust()
  elseif scenario == "mixed" then
    if math.random(10) == 1 then return adjust() end
    return read()
  elseif scenario == "create" then
    n = n + 1
    return wrk.format("POST", "/v1/products", json, string.format(
      '{"sku":"bench-%s-%d-%d","name":"Bench created %d","price":"1.00","currency":"EUR"}', tag, tid, n, n))
  else -- checkout
    local rid = table.remove(pending)
    if rid then
      return wrk.format("POST", "/v1/reservations/" .. rid .. "/commit", plain)
    end
    return wrk.format("POST", "/v1/reservations", json, '{"lines":[{"productId":"' .. ids[math.random(#ids)]
      .. '","quantity":1}],"ttlSeconds":300,"reference":"bench"}')
  end
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 then
    s2xx = s2xx + 1
    if status == 200 then
      s200 = s200 + 1
    elseif status == 201 then
      s201 = s201 + 1
      if scenario == "checkout" then
        pending[#pending + 1] = string.match(body, '"id":"([^"]+)"')
      end
    end
  else
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local t = { s2xx = 0, s200 = 0, s201 = 0, non2xx = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f s2xx=%d s200=%d s201=%d"
    .. " non2xx=%d socket_errors=%d\n", summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, t.s2xx, t.s200, t.s201, t.non2xx,
    e.connect + e.read + e.write + e.timeout))
end
