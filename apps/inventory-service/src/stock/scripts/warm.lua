-- Rebuild one product's state from MySQL, only if it is missing (check-and-set in one script, so
-- concurrent warm-ups never double up). Also initialises a newly created product (pending 0).
-- KEYS: available, meta, res, exp, users, counted, outcome, settle
-- ARGV: stock, pendingQty, priceCents, maxPerUser, nowMs, supplied, saleStartsMs ('' = none),
--       saleEndsMs ('' = none), nUserValues,
--       userId1, units1, … (nUserValues values), then reservationId1, "qty:userId"1, … (pending orders)
-- Reply: {1, available, gen} (written) | {0, available, gen} (state already there, untouched)
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('EXISTS', KEYS[2]) == 1 then
  return {0, tonumber(redis.call('GET', KEYS[1])), redis.call('HGET', KEYS[2], 'gen') or '0'}
end

-- Leftovers of a partial state describe reservations that MySQL now accounts for as pending.
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[2], KEYS[6])
-- stock - pending, never stock alone: pending orders still hold their units (the original system
-- rebuilt from stock and oversold). Kept even if negative so later releases add up correctly.
local available = tonumber(ARGV[1]) - tonumber(ARGV[2])
-- The generation: this server's clock in µs when the state was written. With `seq` it orders every
-- version of the state — a rebuild restarts `seq` at 0, so the reconciler's compare-and-set and the
-- rollback watch compare both (a wipe + rebuild between a probe and its write is a new generation).
local t = redis.call('TIME')
local gen = t[1] .. string.format('%06d', tonumber(t[2]))
-- unpack() is bounded by Lua's C stack (~8,000 values): write the pairs in chunks of 500.
local users_end = 9 + tonumber(ARGV[9])
for i = 10, users_end, 1000 do
  redis.call('HSET', KEYS[5], unpack(ARGV, i, math.min(i + 999, users_end)))
end
-- The pending orders this state subtracted: exactly these may give units back or keep them on settle.
-- An order settled while this warm-up read MySQL (the settle met the cold state and left only its
-- tombstone) is not pending any more: not counted, and a released one's units are not subtracted.
local counted = {}
for i = users_end + 1, #ARGV, 2 do
  local id, record = ARGV[i], ARGV[i + 1]
  local outcome = redis.call('HGET', KEYS[7], id)
  if not outcome then
    counted[#counted + 1] = id
    counted[#counted + 1] = record
  elseif outcome == 'r' then
    -- Failed in MySQL after the read: its units are for sale again and no longer the buyer's.
    local qty, user = string.match(record, '^(%d+):(.*)$')
    available = available + tonumber(qty)
    if redis.call('HINCRBY', KEYS[5], user, -tonumber(qty)) <= 0 then redis.call('HDEL', KEYS[5], user) end
  end
  -- 'c': completed after the read; stock and pending both fell by its units, available is unchanged.
end
for i = 1, #counted, 1000 do
  redis.call('HSET', KEYS[6], unpack(counted, i, math.min(i + 999, #counted)))
end
redis.call('SET', KEYS[1], available)
-- `supplied` (read in the same MySQL snapshot as stock) versions the state for restock.lua.
redis.call('HSET', KEYS[2], 'price_cents', ARGV[3], 'max_per_user', ARGV[4], 'warmed_at', ARGV[5],
  'supplied', ARGV[6], 'seq', 0, 'gen', gen)
-- The sale window, read from MySQL with the stock: reserve.lua compares it with TIME.
if ARGV[7] ~= '' then redis.call('HSET', KEYS[2], 'sale_starts', ARGV[7]) end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[2], 'sale_ends', ARGV[8]) end
-- The product's settle window (see settle.lua) is over: the next loss starts a new one.
redis.call('DEL', KEYS[8])
return {1, available, gen}
