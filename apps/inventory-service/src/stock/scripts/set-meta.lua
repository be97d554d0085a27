-- Update price and/or per-user limit of a warm product; available is untouched. When cold, the
-- next warm-up reads the new values from MySQL.
-- KEYS: available, meta
-- ARGV: priceCents ('' = unchanged), maxPerUser ('' = unchanged)
-- Reply: 1 (updated) | 0 (cold)
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if ARGV[1] ~= '' then redis.call('HSET', KEYS[2], 'price_cents', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], 'max_per_user', ARGV[2]) end
return 1
