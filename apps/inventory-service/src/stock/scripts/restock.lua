-- Add units to available, only while warm: when cold, the next warm-up reads MySQL, which already
-- holds the restock, so adding here would count it twice (and invent a partial state).
-- KEYS: available, meta
-- ARGV: qty
-- Reply: {1, available} | {0}
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return {0} end
return {1, redis.call('INCRBY', KEYS[1], ARGV[1])}
