-- Units come back on sale, once per reservation, in one of two ways (ARGV[5]):
-- * 'release': the order failed or was abandoned before it committed. A release after a commit does
--   nothing: the units are sold (status 'already_committed').
-- * 'return': the order had committed its units (awaiting payment) and then expired or was cancelled
--   in MySQL, whose transaction already put them back into `products.stock`. Called only after MySQL
--   committed that return.
-- Either leaves a tombstone ('r' released, 'x' returned), so a repeat, a late commit or the other way
-- afterwards is a no-op.
-- KEYS: available, meta, res, exp, users, done, outcome, counted
-- ARGV: reservationId, qty, userId, nowMs, mode. qty and userId are the caller's view: a release never
--       uses them (the warm-up's own record decides what a forgotten reservation gives back); a return
--       uses them for a committed reservation, whose Redis record is gone by then.
-- Reply: {1, '<done>' | '<done>_live' | '<done>_counted', qty, available} with <done> 'released' or
--        'returned' ('released_live' is answered as 'released')
--      | {0, 'already_committed' (release) | 'already_returned' (return) | 'already_released' | 'unknown'
--         | 'cold'}
local id, now, mode = ARGV[1], ARGV[4], ARGV[5]
local returning = mode == 'return'
local mark = returning and 'x' or 'r'
local done = returning and 'returned' or 'released'

local prior = redis.call('HGET', KEYS[7], id)
-- A settled order is no longer in flight: whatever happens here still drops it from `counted` (a
-- counted entry left behind would keep the product out of reconciliation for good).
if prior then redis.call('HDEL', KEYS[8], id) end
if prior == 'c' and not returning then return {0, 'already_committed'} end
if prior == 'x' and returning then return {0, 'already_returned'} end
-- Released (or, to a release, returned): its units came back then.
if prior and prior ~= 'c' then return {0, 'already_released'} end

local function tombstone()
  redis.call('HSET', KEYS[7], id, mark)
  redis.call('ZADD', KEYS[6], now, id)
  redis.call('HINCRBY', KEYS[2], 'seq', 1)
end

local function give_back(qty, user)
  local available = redis.call('INCRBY', KEYS[1], qty)
  -- Clamp at zero: after a rebuild the user's count may not include this order.
  if redis.call('HINCRBY', KEYS[5], user, -qty) <= 0 then redis.call('HDEL', KEYS[5], user) end
  return available
end

if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[2], 'warmed_at') == 0 then
  -- Cold: INCRBY would invent an `available` key. The order is already terminal in MySQL (callers
  -- settle Redis after the MySQL transition, and a return's units are already in `products.stock`), so
  -- the next warm-up counts right; the tombstone keeps a repeat after that warm-up from giving the
  -- units back a second time.
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  redis.call('HDEL', KEYS[8], id)
  redis.call('HSET', KEYS[7], id, mark)
  redis.call('ZADD', KEYS[6], now, id)
  return {0, 'cold'}
end

if prior == 'c' then
  -- A return's usual case: committed by the finalizer, still deducted here.
  local qty = tonumber(ARGV[2])
  tombstone()
  return {1, 'returned', qty, give_back(qty, ARGV[3])}
end

-- Still live (for a return: the finalizer's commit never reached Redis; its settle is retried later and
-- will find this tombstone). Its units are deducted by the reservation itself.
local record = redis.call('HGET', KEYS[3], id)
if record then
  local qty, user = string.match(record, '^(%d+):(.*):%d+$')
  qty = tonumber(qty)
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  tombstone()
  return {1, returning and 'returned_live' or 'released', qty, give_back(qty, user)}
end

-- Unknown to Redis: it lost the reservation (flush, failover) and a warm-up rebuilt the product from
-- MySQL. Units come back only if that warm-up subtracted them, i.e. counted this reservation's order as
-- pending; anything else (an order already terminal then, a row written after the warm-up read, a
-- compensation for a row never written, a return the rebuild already read from `products.stock`) was
-- never deducted here, and giving it back would mint stock. (A return the rebuild read before MySQL
-- committed it comes back through the reconciler's stock − Σ pending once the product is quiet.)
tombstone()
local counted = redis.call('HGET', KEYS[8], id)
if counted then
  redis.call('HDEL', KEYS[8], id)
  -- The quantity and buyer MySQL had for it at the warm-up, not the caller's word.
  local qty, user = string.match(counted, '^(%d+):(.*)$')
  qty = tonumber(qty)
  return {1, done .. '_counted', qty, give_back(qty, user)}
end
return {0, 'unknown'}
