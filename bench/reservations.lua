-- Checkout load: each connection creates a one-line reservation of 1 unit on a random product, then commits
-- it, over and over. Prints reservations created and committed per second.
--
--   wrk -t2 -c64 -d20s -s bench/reservations.lua http://localhost:8080 -- <product id>,<product id>,...
--
-- The products need enough stock for the run (e.g. initialQuantity 1000000000).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ids = {}
  for id in string.gmatch(args[1] or "", "[^,]+") do
    ids[#ids + 1] = id
  end
  if #ids == 0 then
    error("pass product ids: -- <id>,<id>,...")
  end
  pending = {}
  created, committed, failed = 0, 0, 0
  math.randomseed(os.time() + tonumber(tostring(pending):match("0x(%x+)"), 16) % 100000)
end

local json = { ["Content-Type"] = "application/json" }

function request()
  local rid = table.remove(pending)
  if rid then
    return wrk.format("POST", "/v1/reservations/" .. rid .. "/commit")
  end
  local id = ids[math.random(#ids)]
  return wrk.format("POST", "/v1/reservations", json,
    '{"lines":[{"productId":"' .. id .. '","quantity":1}],"ttlSeconds":300,"reference":"bench"}')
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    pending[#pending + 1] = string.match(body, '"id":"([^"]+)"')
  elseif status == 200 then
    committed = committed + 1
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local c, k, f = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    k = k + t:get("committed")
    f = f + t:get("failed")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("reservations created %d (%.0f/s), committed %d (%.0f/s), other answers %d\n",
    c, c / seconds, k, k / seconds, f))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
