-- Forget tombstones settled before a cutoff, at most `limit` per call so the script stays short.
-- KEYS: done, outcome
-- ARGV: olderThanMs (exclusive), limit
-- Reply: number removed
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, ARGV[2])
if #ids == 0 then return 0 end
redis.call('HDEL', KEYS[2], unpack(ids))
redis.call('ZREM', KEYS[1], unpack(ids))
return #ids
