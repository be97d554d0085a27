-- Set a warm product's sale window to what MySQL now holds (absolute values: applying twice is the
-- same as once); available and everything else are untouched. When cold, the next warm-up reads MySQL.
-- KEYS: available, meta
-- ARGV: saleStartsMs ('' = none), saleEndsMs ('' = none)
-- Reply: 1 (set) | 0 (cold)
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if ARGV[1] == '' then redis.call('HDEL', KEYS[2], 'sale_starts') else redis.call('HSET', KEYS[2], 'sale_starts', ARGV[1]) end
if ARGV[2] == '' then redis.call('HDEL', KEYS[2], 'sale_ends') else redis.call('HSET', KEYS[2], 'sale_ends', ARGV[2]) end
return 1
