-- One product's settle window after its state was lost (see warm-settle.ts): starts at the first
-- sighting of the loss, on this server's clock, and ends when a warm-up writes the state (warm.lua
-- deletes the key). The key lives in the product's hash tag: whatever loses the product's state —
-- a flush, one shard's failover, a rollback the watch caught — is seen here, never in another slot.
-- KEYS: available, meta, settle
-- ARGV: settleMs, start (1: start the window if it has not started; 0: only read it)
-- Reply: {'warm'} | {'none'} (no window and start=0) | {'wait', remainingMs (may be <= 0)}
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('EXISTS', KEYS[2]) == 1 then return {'warm'} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local since = redis.call('GET', KEYS[3])
if not since then
  if ARGV[2] ~= '1' then return {'none'} end
  since = now
  -- Outlives any window: a product nobody warms again does not keep its marker for ever.
  redis.call('SET', KEYS[3], now, 'PX', tonumber(ARGV[1]) + 3600000)
end
return {'wait', tonumber(since) + tonumber(ARGV[1]) - now}
