-- Move a live reservation's expiry (its order is still pending in MySQL: the sweeper must not
-- release it).
-- KEYS: res, exp
-- ARGV: reservationId, newExpiresAtMs
-- Reply: 1 (extended) | 0 (not a live reservation)
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then return 0 end
local head = string.match(record, '^(.*:)%d+$')
redis.call('HSET', KEYS[1], ARGV[1], head .. ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
