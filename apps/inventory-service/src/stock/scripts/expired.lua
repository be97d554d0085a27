-- Live reservations whose expiry is at or before nowMs, oldest first.
-- KEYS: res, exp
-- ARGV: nowMs, limit
-- Reply: {reservationId1, record1, reservationId2, record2, ...}; record = "qty:userId:expiresAtMs"
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
for _, id in ipairs(ids) do
  local record = redis.call('HGET', KEYS[1], id)
  if record then
    out[#out + 1] = id
    out[#out + 1] = record
  end
end
return out
