-- Drop a product's state that went back in time (a failover to a replica that missed writes), so the
-- next reserve finds it cold, waits out the product's settle window and rebuilds from MySQL. The caller
-- only suspects it (a reserve answered an older version than it had seen); this script decides on the
-- state as it is now, behind every command already answered: older than the newest version seen —
-- an older generation, or the same one with a lower `seq` (which never goes back within one) — means
-- a rollback. A state rebuilt meanwhile is newer and stays. Tombstones stay (they only ever stop a
-- double settle).
-- KEYS: available, meta, res, exp, users, counted, settle
-- ARGV: newestGen, newestSeq, settleMs
-- Reply: 1 (dropped) | 0 (not older: nothing done)
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local meta = redis.call('HMGET', KEYS[2], 'gen', 'seq')
local gen, seq, newest = meta[1] or '0', tonumber(meta[2] or '0'), ARGV[1]
-- Generations are decimal µs: compare as numbers of any length, without Lua's float rounding.
local older_gen = #gen < #newest or (#gen == #newest and gen < newest)
if not (older_gen or (gen == newest and seq < tonumber(ARGV[2]))) then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[7], now, 'NX', 'PX', tonumber(ARGV[3]) + 3600000)
return 1
