-- Reserve qty units of one product for one user, idempotent by reservation id.
-- KEYS: available, meta, res, exp, users, outcome
-- ARGV: reservationId, userId, qty, expiresAtMs | '+ttlMs' (expiry = Redis TIME + ttl)
-- Reply: {1, price_cents, available, replayed(0|1), expiresAtMs, gen, seq}
--      | {0, reason, available|false, gen, seq}   (gen and seq: the state version, for the rollback watch)
--      | {0, 'sale_not_started'|'sale_ended', available, gen, seq, startsMs|'', endsMs|'', nowMs}
local id, user, qty, expires_at = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
-- This server's clock (TIME): the one clock every instance and the sweeper share, so a sale opens at
-- the same instant for every caller whatever their hosts' clocks say.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- "+ttl": the expiry on that clock.
if string.sub(expires_at, 1, 1) == '+' then
  expires_at = string.format('%.0f', now + tonumber(string.sub(expires_at, 2)))
end

local available = redis.call('GET', KEYS[1])
local meta = redis.call('HMGET', KEYS[2], 'price_cents', 'max_per_user', 'gen', 'seq', 'sale_starts', 'sale_ends')
-- Missing state means first use, eviction or a flush: deciding from nothing would oversell.
if not available or not meta[1] then return {0, 'cold', false} end
available = tonumber(available)

-- A retried call must not deduct twice: it succeeds again (reporting what is available now).
local record = redis.call('HGET', KEYS[3], id)
if record then
  return {1, meta[1], available, 1, string.match(record, ':(%d+)$'), meta[3] or '0', meta[4] or '0'}
end
-- The sale window (ms on this clock; absent = no bound): before stock, or a closed sale with units
-- left would be refused as if it were open. A replay above is answered anyway: it was reserved in it.
local starts, ends = tonumber(meta[5] or ''), tonumber(meta[6] or '')
if (starts and now < starts) or (ends and now >= ends) then
  local reason = (starts and now < starts) and 'sale_not_started' or 'sale_ended'
  return {0, reason, available, meta[3] or '0', meta[4] or '0', meta[5] or '', meta[6] or '',
    string.format('%.0f', now)}
end
-- Sold out first: it is most answers in a flash sale, and a settled id is refused either way.
if available < qty then return {0, 'out_of_stock', available, meta[3] or '0', meta[4] or '0'} end
-- Already committed or released: a late retry must not resurrect it (that stock would never return).
if redis.call('HEXISTS', KEYS[6], id) == 1 then return {0, 'settled', available, meta[3] or '0', meta[4] or '0'} end
local limit = tonumber(meta[2] or '0') or 0
if limit > 0 then
  local held = tonumber(redis.call('HGET', KEYS[5], user) or '0')
  if held + qty > limit then return {0, 'per_user_limit', available, meta[3] or '0', meta[4] or '0'} end
end

available = redis.call('DECRBY', KEYS[1], qty)
redis.call('HINCRBY', KEYS[5], user, qty)
-- ARGV strings are stored as-is: Lua would print a large number like 1.7e+12.
redis.call('HSET', KEYS[3], id, ARGV[3] .. ':' .. user .. ':' .. expires_at)
redis.call('ZADD', KEYS[4], expires_at, id)
-- Every change of the state bumps `seq`: the reconciler repairs only a state nothing touched meanwhile.
local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
return {1, meta[1], available, 0, expires_at, meta[3] or '0', seq}
