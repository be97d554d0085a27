import t from 'tap'
import { SaleWindowMarks } from '../src/intake/sale-window-marks.ts'

// The local marks count down to the opening on the monotonic clock, from the window and the instant of
// the check that inventory reported on Redis's clock: this host's wall clock is never read.
const refusal = (
  startsInMs: number | null,
  reason: 'sale_not_started' | 'sale_ended' = 'sale_not_started',
) => {
  const checked = Date.parse('2026-12-24T19:00:00.000Z')
  return {
    ok: false as const,
    reason,
    sale_starts_at: startsInMs === null ? null : new Date(checked + startsInMs).toISOString(),
    sale_ends_at: null,
    checked_at: new Date(checked).toISOString(),
  }
}

t.test(
  'counts down from the time the reserve was asked, and lets everything through at the opening',
  async (t) => {
    const marks = new SaleWindowMarks(60_000)
    marks.setLive(true)
    const asked = { version: marks.ask().version, at: 1_000 }
    marks.learn(1, refusal(10_500), asked)
    t.same(marks.closed(1, 1_000), { reason: 'sale_not_started', retryAfterSeconds: 11 })
    t.same(marks.closed(1, 10_000), { reason: 'sale_not_started', retryAfterSeconds: 2 })
    t.same(marks.closed(1, 11_400), { reason: 'sale_not_started', retryAfterSeconds: 1 })
    t.equal(marks.closed(1, 11_500), undefined, 'opened: inventory decides')
    t.equal(marks.closed(1, 11_501), undefined, 'and the mark is gone')
    t.equal(marks.closed(2, 1_000), undefined, 'per product')
  },
)

t.test('Retry-After is capped; an ended sale is refused without one', async (t) => {
  const marks = new SaleWindowMarks(60_000)
  marks.setLive(true)
  const asked = { version: marks.ask().version, at: 0 }
  marks.learn(1, refusal(7_200_000), asked)
  t.same(marks.closed(1, 0), { reason: 'sale_not_started', retryAfterSeconds: 60 })
  marks.learn(2, refusal(null, 'sale_ended'), asked)
  t.same(marks.closed(2, 0), { reason: 'sale_ended' })
})

t.test('a window change (event) drops the mark and ignores answers asked before it', async (t) => {
  const marks = new SaleWindowMarks(60_000)
  marks.setLive(true)
  const before = marks.ask()
  marks.clear(1)
  marks.learn(1, refusal(5_000), before)
  t.equal(marks.closed(1), undefined, 'stale answer ignored')
  marks.learn(1, refusal(5_000), marks.ask())
  t.ok(marks.closed(1))
  marks.clear(1)
  t.equal(marks.closed(1), undefined)
})

t.test('not live, or a zero TTL: nothing is marked; a reconnect forgets everything', async (t) => {
  const off = new SaleWindowMarks(60_000)
  off.learn(1, refusal(5_000), off.ask())
  t.equal(off.closed(1), undefined)
  const zero = new SaleWindowMarks(0)
  zero.setLive(true)
  zero.learn(1, refusal(5_000), zero.ask())
  t.equal(zero.closed(1), undefined)
  const marks = new SaleWindowMarks(60_000)
  marks.setLive(true)
  const asked = marks.ask()
  marks.learn(1, refusal(5_000), asked)
  marks.setLive(true)
  t.equal(marks.closed(1), undefined)
  marks.learn(1, refusal(5_000), asked)
  t.equal(marks.closed(1), undefined, 'asked before the resubscribe')
})

t.test('after its TTL one request asks inventory again while the others stay refused', async (t) => {
  const marks = new SaleWindowMarks(100)
  marks.setLive(true)
  const learnedAt = performance.now()
  marks.learn(1, refusal(60_000), { version: marks.ask().version, at: learnedAt })
  const later = learnedAt + 200
  t.equal(marks.closed(1, later), undefined, 'the probe')
  t.ok(marks.closed(1, later + 1), 'the others are still refused')
  marks.forget(1)
  t.equal(marks.closed(1, later + 2), undefined, 'inventory accepted: the mark is gone')
})
