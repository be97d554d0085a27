-- The order's units come back on sale: it had committed them (awaiting payment) and then expired or
-- was cancelled in MySQL, whose transaction already put them back into `products.stock`. Give them
-- back to available and to the buyer's allowance once, and leave a tombstone ('x') so a repeat, a late
-- commit or a late release is a no-op. Called only after MySQL committed the return.
-- KEYS: available, meta, res, exp, users, done, outcome, counted
-- ARGV: reservationId, qty, userId, nowMs (qty and userId: the order row's, used when the reservation
--       was committed — its Redis record is gone by then)
-- Reply: {1, 'returned' | 'returned_live' | 'returned_counted', qty, available}
--      | {0, 'already_returned' | 'already_released' | 'unknown' | 'cold'}
local id, now = ARGV[1], ARGV[4]

local prior = redis.call('HGET', KEYS[7], id)
if prior then redis.call('HDEL', KEYS[8], id) end
if prior == 'x' then return {0, 'already_returned'} end
-- Released: its units came back then (an order that failed never held any).
if prior == 'r' then return {0, 'already_released'} end

local function tombstone()
  redis.call('HSET', KEYS[7], id, 'x')
  redis.call('ZADD', KEYS[6], now, id)
  redis.call('HINCRBY', KEYS[2], 'seq', 1)
end

local function give_back(qty, user)
  local available = redis.call('INCRBY', KEYS[1], qty)
  if redis.call('HINCRBY', KEYS[5], user, -qty) <= 0 then redis.call('HDEL', KEYS[5], user) end
  return available
end

if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[2], 'warmed_at') == 0 then
  -- Cold: the next warm-up reads MySQL, which already holds the returned units. The tombstone keeps a
  -- repeat after that warm-up from adding them a second time.
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  redis.call('HDEL', KEYS[8], id)
  redis.call('HSET', KEYS[7], id, 'x')
  redis.call('ZADD', KEYS[6], now, id)
  return {0, 'cold'}
end

if prior == 'c' then
  -- The usual case: committed by the finalizer, still deducted here.
  local qty = tonumber(ARGV[2])
  tombstone()
  return {1, 'returned', qty, give_back(qty, ARGV[3])}
end

-- Still live: the finalizer's commit never reached Redis (its settle is retried later and will find
-- this tombstone). Its units are deducted by the reservation itself.
local record = redis.call('HGET', KEYS[3], id)
if record then
  local qty, user = string.match(record, '^(%d+):(.*):%d+$')
  qty = tonumber(qty)
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  tombstone()
  return {1, 'returned_live', qty, give_back(qty, user)}
end

-- Unknown: Redis lost it. Units come back only if the last rebuild subtracted its order as pending;
-- otherwise that rebuild read MySQL either after the return (already included) or before it (the
-- reconciler's stock − Σ pending puts the units back once the product is quiet). Adding here could mint.
tombstone()
local counted = redis.call('HGET', KEYS[8], id)
if counted then
  redis.call('HDEL', KEYS[8], id)
  local qty, user = string.match(counted, '^(%d+):(.*)$')
  qty = tonumber(qty)
  return {1, 'returned_counted', qty, give_back(qty, user)}
end
return {0, 'unknown'}
