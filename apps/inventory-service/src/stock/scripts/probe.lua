-- What the reconciler needs to know before reading MySQL: is the product warm, is it quiet (no live
-- reservation: no intake between its reserve and its row, no order whose settle is outstanding), and
-- which version of the state it is looking at (generation + seq).
-- KEYS: available, meta, res, counted
-- Reply: {available|false, seq, live reservations, warmed_at|false, counted orders not settled yet, gen}
local meta = redis.call('HMGET', KEYS[2], 'seq', 'warmed_at', 'gen')
return {redis.call('GET', KEYS[1]), meta[1] or '0', redis.call('HLEN', KEYS[3]), meta[2],
  redis.call('HLEN', KEYS[4]), meta[3] or '0'}
