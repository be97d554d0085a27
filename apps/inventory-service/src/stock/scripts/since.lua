-- Since when this Redis holds stock state (ms on its own clock), set at first sight when missing: a
-- Redis without it is new or lost everything (flush, failover to an empty replica, new cluster).
-- KEYS: since
-- ARGV: valueIfMissing ('now': this server's clock; a number: that value, e.g. 0 for "no wait")
-- Reply: {sinceMs, nowMs}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local since = redis.call('GET', KEYS[1])
if not since then
  since = ARGV[1] == 'now' and now or tonumber(ARGV[1])
  redis.call('SET', KEYS[1], since)
end
return {tonumber(since), now}
