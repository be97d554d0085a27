-- The order failed or was abandoned: give the units back to available and to the user's
-- allowance, and leave a tombstone. Idempotent; a release after a commit does nothing.
-- KEYS: available, meta, res, exp, users, done, outcome
-- ARGV: reservationId, qty, userId, nowMs, createdAtMs ('' when unknown)
-- Reply: {1, 'released' | 'released_untracked', qty, available}
--      | {0, 'already_committed' | 'already_released' | 'unknown' | 'cold'}
local id, now = ARGV[1], ARGV[4]

local prior = redis.call('HGET', KEYS[7], id)
if prior == 'c' then return {0, 'already_committed'} end
if prior then return {0, 'already_released'} end

local function tombstone()
  redis.call('HSET', KEYS[7], id, 'r')
  redis.call('ZADD', KEYS[6], now, id)
end

local function give_back(qty, user)
  local available = redis.call('INCRBY', KEYS[1], qty)
  -- Clamp at zero: after a rebuild the user's count may not include this order.
  if redis.call('HINCRBY', KEYS[5], user, -qty) <= 0 then redis.call('HDEL', KEYS[5], user) end
  return available
end

local warmed_at = redis.call('HGET', KEYS[2], 'warmed_at')
if redis.call('EXISTS', KEYS[1]) == 0 or not warmed_at then
  -- Cold: INCRBY would invent an `available` key. The order is already terminal in MySQL (callers
  -- settle Redis after the MySQL transition), so the next warm-up will not count it as pending; the
  -- tombstone keeps a replayed release from returning the units after that warm-up. (A warm-up
  -- that read MySQL before the transition still subtracts it: an undersell reconciliation repairs.)
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  tombstone()
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

tombstone()
-- Unknown to Redis and never settled here: Redis lost the reservation (flush, failover) and was
-- rebuilt from MySQL as available = stock - sum(pending). A reservation created before that warm-up
-- belonged to an order that was pending then, so the warm-up subtracted its units: give them back.
-- One created after the warm-up was never deducted in this Redis (its reserve never ran here), so
-- returning units would mint stock: no-op. Unknown creation time is treated as "after" (no-op): a
-- missed return only undersells until reconciliation, an extra one would over-admit.
-- Known gap: an order already terminal when the warm-up read MySQL (its tombstone lost in the flush)
-- and released again afterwards is returned twice; MySQL's `stock >= qty` check still prevents an
-- oversell, and reconciliation repairs Redis. Exact would need the pending ids from the warm-up.
local created = tonumber(ARGV[5])
if created and created < tonumber(warmed_at) then
  local qty = tonumber(ARGV[2])
  return {1, 'released_untracked', qty, give_back(qty, ARGV[3])}
end
return {0, 'unknown'}
