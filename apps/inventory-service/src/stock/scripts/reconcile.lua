-- Repair a quiet product's drift: set available to what MySQL says (stock - sum of pending) and
-- `supplied` to MySQL's, but only if the state is exactly the version the caller probed before its
-- MySQL read — same generation (a wipe + rebuild restarts `seq` at 0, so `seq` alone could match a
-- different state) and same `seq` — and it still has no live reservation and no counted order whose
-- settle is outstanding. Every instance may run this at once: the first repair bumps `seq`, so a
-- second one computed from the same probe changes nothing.
-- KEYS: available, meta, res, counted
-- ARGV: probedSeq, expectedAvailable, supplied, nowMs, probedGen
-- Reply: {1, 'repaired', delta} | {0, 'cold' | 'moved' | 'busy' | 'in_sync'}
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return {0, 'cold'} end
local meta = redis.call('HMGET', KEYS[2], 'seq', 'gen')
if (meta[1] or '0') ~= ARGV[1] or (meta[2] or '0') ~= ARGV[5] then return {0, 'moved'} end
if redis.call('HLEN', KEYS[3]) > 0 or redis.call('HLEN', KEYS[4]) > 0 then return {0, 'busy'} end
local delta = tonumber(ARGV[2]) - tonumber(redis.call('GET', KEYS[1]))
if delta == 0 and redis.call('HGET', KEYS[2], 'supplied') == ARGV[3] then return {0, 'in_sync'} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], 'supplied', ARGV[3], 'last_repair_at', ARGV[4], 'last_repair_delta', delta)
redis.call('HINCRBY', KEYS[2], 'seq', 1)
redis.call('HINCRBY', KEYS[2], 'repairs', 1)
return {1, 'repaired', delta}
