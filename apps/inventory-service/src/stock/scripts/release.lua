-- The order failed or was abandoned: give the units back to available and to the user's
-- allowance, and leave a tombstone. Idempotent; a release after a commit does nothing.
-- KEYS: available, meta, res, exp, users, done, outcome, counted
-- ARGV: reservationId, qty, userId, nowMs (qty and userId: the caller's view; unused since the warm-up's
--       own record decides what a forgotten reservation returns)
-- Reply: {1, 'released' | 'released_counted', qty, available}
--      | {0, 'already_committed' | 'already_released' | 'unknown' | 'cold'}
local id, now = ARGV[1], ARGV[4]

local prior = redis.call('HGET', KEYS[7], id)
-- A settled order is no longer in flight: whatever returns here still drops it from `counted` (a
-- counted entry left behind would keep the product out of reconciliation for good).
if prior then redis.call('HDEL', KEYS[8], id) end
if prior == 'c' then return {0, 'already_committed'} end
if prior then return {0, 'already_released'} end

local function tombstone()
  redis.call('HSET', KEYS[7], id, 'r')
  redis.call('ZADD', KEYS[6], now, id)
  redis.call('HINCRBY', KEYS[2], 'seq', 1)
end

local function give_back(qty, user)
  local available = redis.call('INCRBY', KEYS[1], qty)
  -- Clamp at zero: after a rebuild the user's count may not include this order.
  if redis.call('HINCRBY', KEYS[5], user, -qty) <= 0 then redis.call('HDEL', KEYS[5], user) end
  return available
end

if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[2], 'warmed_at') == 0 then
  -- Cold: INCRBY would invent an `available` key. The order is already terminal in MySQL (callers
  -- settle Redis after the MySQL transition), so the next warm-up will not count it as pending; the
  -- tombstone keeps a replayed release from returning the units after that warm-up.
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  redis.call('HDEL', KEYS[8], id)
  redis.call('HSET', KEYS[7], id, 'r')
  redis.call('ZADD', KEYS[6], now, id)
  return {0, 'cold'}
end

local record = redis.call('HGET', KEYS[3], id)
if record then
  local qty, user = string.match(record, '^(%d+):(.*):%d+$')
  qty = tonumber(qty)
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  tombstone()
  return {1, 'released', qty, give_back(qty, user)}
end

-- Unknown to Redis: it lost the reservation (flush, failover) and a warm-up rebuilt the product from
-- MySQL. Units come back only if that warm-up subtracted them, i.e. counted this reservation's order
-- as pending; anything else (an order already terminal then, a row written after the warm-up read, a
-- compensation for a row never written) was never deducted here, and returning it would mint stock.
tombstone()
local counted = redis.call('HGET', KEYS[8], id)
if counted then
  redis.call('HDEL', KEYS[8], id)
  -- The quantity and buyer MySQL had for it at the warm-up, not the caller's word.
  local qty, user = string.match(counted, '^(%d+):(.*)$')
  qty = tonumber(qty)
  return {1, 'released_counted', qty, give_back(qty, user)}
end
return {0, 'unknown'}
