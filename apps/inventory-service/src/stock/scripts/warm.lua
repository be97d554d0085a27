-- Rebuild one product's state from MySQL, only if it is missing (check-and-set in one script, so
-- concurrent warm-ups never double up). Also initialises a newly created product (pending 0).
-- KEYS: available, meta, res, exp, users, counted
-- ARGV: stock, pendingQty, priceCents, maxPerUser, nowMs, supplied, nUserValues,
--       userId1, units1, … (nUserValues values), then reservationId1, "qty:userId"1, … (pending orders)
-- Reply: {1, available} (written) | {0, available} (state already there, untouched)
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('EXISTS', KEYS[2]) == 1 then
  return {0, tonumber(redis.call('GET', KEYS[1]))}
end

-- Leftovers of a partial state describe reservations that MySQL now accounts for as pending.
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[2], KEYS[6])
-- stock - pending, never stock alone: pending orders still hold their units (the original system
-- rebuilt from stock and oversold). Kept even if negative so later releases add up correctly.
local available = tonumber(ARGV[1]) - tonumber(ARGV[2])
redis.call('SET', KEYS[1], available)
-- `supplied` (read in the same MySQL snapshot as stock) versions the state for restock.lua.
redis.call('HSET', KEYS[2], 'price_cents', ARGV[3], 'max_per_user', ARGV[4], 'warmed_at', ARGV[5], 'supplied', ARGV[6], 'seq', 0)
-- unpack() is bounded by Lua's C stack (~8,000 values): write the pairs in chunks of 500.
local users_end = 7 + tonumber(ARGV[7])
for i = 8, users_end, 1000 do
  redis.call('HSET', KEYS[5], unpack(ARGV, i, math.min(i + 999, users_end)))
end
-- The pending orders this state subtracted: exactly these may give units back or keep them on settle.
for i = users_end + 1, #ARGV, 1000 do
  redis.call('HSET', KEYS[6], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return {1, available}
