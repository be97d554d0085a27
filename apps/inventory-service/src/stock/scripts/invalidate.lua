-- Forget a product's state that was rolled back (a failover to a replica that missed writes: its
-- generation or seq went backwards), so the next reserve finds it cold, waits out the product's
-- settle window and rebuilds from MySQL. Only the very version that was seen is dropped: a state
-- another instance has rebuilt meanwhile stays. Tombstones stay (they only ever stop a double settle).
-- KEYS: available, meta, res, exp, users, counted, settle
-- ARGV: gen, settleMs
-- Reply: 1 (dropped) | 0 (not that version any more)
if (redis.call('HGET', KEYS[2], 'gen') or '0') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[7], now, 'NX', 'PX', tonumber(ARGV[2]) + 3600000)
return 1
