-- One consistent view of a product's state, for audits. O(live reservations).
-- KEYS: available, meta, res, users, done, counted
-- Reply: {available|false, price_cents|false, max_per_user|false, warmed_at|false,
--         reservations, reserved_units, user_units, tombstones, supplied|false,
--         counted, repairs, last_repair_delta|false, last_repair_at|false}
local meta = redis.call('HMGET', KEYS[2], 'price_cents', 'max_per_user', 'warmed_at', 'supplied',
  'repairs', 'last_repair_delta', 'last_repair_at')
local reserved_units = 0
local records = redis.call('HVALS', KEYS[3])
for _, record in ipairs(records) do
  reserved_units = reserved_units + tonumber(string.match(record, '^(%d+):'))
end
local user_units = 0
for _, units in ipairs(redis.call('HVALS', KEYS[4])) do user_units = user_units + tonumber(units) end
return {
  redis.call('GET', KEYS[1]), meta[1], meta[2], meta[3],
  #records, reserved_units, user_units, redis.call('ZCARD', KEYS[5]), meta[4],
  redis.call('HLEN', KEYS[6]), meta[5] or '0', meta[6], meta[7],
}
