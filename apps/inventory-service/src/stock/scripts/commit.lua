-- The order completed: drop the live reservation, keep its units deducted from available and
-- counted for the user, and leave a tombstone so any later commit or release is a no-op.
-- KEYS: res, exp, done, outcome
-- ARGV: reservationId, nowMs
-- Reply: {1, 'committed', qty} | {0, 'already_committed' | 'already_released' | 'unknown'}
local id, now = ARGV[1], ARGV[2]

local prior = redis.call('HGET', KEYS[4], id)
if prior == 'c' then return {0, 'already_committed'} end
if prior then return {0, 'already_released'} end

local record = redis.call('HGET', KEYS[1], id)
redis.call('HSET', KEYS[4], id, 'c')
redis.call('ZADD', KEYS[3], now, id)
-- Unknown (Redis lost it, e.g. flush + warm-up): nothing to move, since the warm-up already
-- subtracted the pending order and the commit keeps it subtracted. The tombstone still matters: it
-- stops a later release from returning the units.
if not record then return {0, 'unknown'} end

redis.call('HDEL', KEYS[1], id)
redis.call('ZREM', KEYS[2], id)
return {1, 'committed', tonumber(string.match(record, '^(%d+):'))}
