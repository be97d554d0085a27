-- Apply a restock MySQL has committed, by version: the caller passes the product's new `supplied`
-- total (initial stock + every restock) and only the part this state does not include yet is added.
-- That makes the script idempotent and order-free: a warm-up that read MySQL after the restock
-- already recorded the new total (adding again would double count: oversell), two restocks may
-- arrive in any order, and a lost one is delivered by any later call with a total that includes it.
-- Cold: nothing to do, the next warm-up reads MySQL, which already holds the restock.
-- KEYS: available, meta
-- ARGV: supplied
-- Reply: {1, 'applied', available, added} | {0, 'noop', available} | {0, 'cold'}
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return {0, 'cold'} end
local seen = tonumber(redis.call('HGET', KEYS[2], 'supplied'))
-- Every writer of the state records `supplied`; a state without it cannot say which restocks it holds.
if not seen then return {0, 'cold'} end
local added = tonumber(ARGV[1]) - seen
if added <= 0 then return {0, 'noop', tonumber(redis.call('GET', KEYS[1]))} end
redis.call('HSET', KEYS[2], 'supplied', ARGV[1])
redis.call('HINCRBY', KEYS[2], 'seq', 1)
return {1, 'applied', redis.call('INCRBY', KEYS[1], added), added}
