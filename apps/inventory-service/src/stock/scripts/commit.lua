-- The order completed in MySQL: drop the live reservation, keep its units deducted from available and
-- counted for the user, and leave a tombstone so any later commit or release is a no-op.
-- KEYS: res, exp, done, outcome, counted, meta
-- ARGV: reservationId, nowMs
-- Reply: {1, 'committed', qty} | {0, 'already_committed' | 'already_released' | 'counted' | 'unknown'}
local id, now = ARGV[1], ARGV[2]

local prior = redis.call('HGET', KEYS[4], id)
-- A settled order is no longer in flight: whatever returns here still drops it from `counted` (a
-- counted entry left behind would keep the product out of reconciliation for good).
if prior then redis.call('HDEL', KEYS[5], id) end
if prior == 'c' then return {0, 'already_committed'} end
-- Returned ('x'): the order held its units and has expired or been cancelled since; this is its own
-- commit arriving late, and the return already accounted for it. Released ('r'), yet completed in
-- MySQL: an anomaly no path should produce (every release is decided by MySQL first). Redis then
-- offers units MySQL has sold; the reconciler takes them back once the product is quiet — doing it
-- here as well would take them twice.
if prior then return {0, 'already_released'} end

local record = redis.call('HGET', KEYS[1], id)
redis.call('HSET', KEYS[4], id, 'c')
redis.call('ZADD', KEYS[3], now, id)
-- Not on a cold state: HINCRBY would create a meta hash that looks half-warm.
if redis.call('EXISTS', KEYS[6]) == 1 then redis.call('HINCRBY', KEYS[6], 'seq', 1) end
if not record then
  -- Unknown (Redis lost it, e.g. flush + warm-up): nothing to move — a warm-up that counted its order
  -- as pending subtracted it, and the commit keeps it subtracted. The tombstone still matters: it stops
  -- a later release from returning the units.
  if redis.call('HDEL', KEYS[5], id) == 1 then return {0, 'counted'} end
  return {0, 'unknown'}
end

redis.call('HDEL', KEYS[1], id)
redis.call('ZREM', KEYS[2], id)
return {1, 'committed', tonumber(string.match(record, '^(%d+):'))}
