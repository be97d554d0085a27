import t from 'tap'
import { SoldOutMarks } from '../src/intake/sold-out.ts'

t.test('a mark refuses the product until it expires', async (t) => {
  const marks = new SoldOutMarks(30)
  marks.setLive(true)
  t.notOk(marks.isSoldOut(1, 1))
  marks.mark(1, 1)
  t.ok(marks.isSoldOut(1, 1))
  t.notOk(marks.isSoldOut(2, 1), 'per product')
  await new Promise((resolve) => setTimeout(resolve, 40))
  t.notOk(marks.isSoldOut(1, 1), 'expired: this request probes inventory')
})

t.test('after expiry one request probes; the others stay refused until it answers', async (t) => {
  const marks = new SoldOutMarks(30)
  marks.setLive(true)
  marks.mark(1, 1)
  await new Promise((resolve) => setTimeout(resolve, 40))
  t.notOk(marks.isSoldOut(1, 1), 'the probe goes through')
  t.ok(marks.isSoldOut(1, 1), 'a concurrent request is still refused')
  t.ok(marks.isSoldOut(1, 2))
  marks.mark(1, 1)
  t.ok(marks.isSoldOut(1, 1), 'probe refused again: the mark is renewed')
  await new Promise((resolve) => setTimeout(resolve, 40))
  t.notOk(marks.isSoldOut(1, 1), 'next probe')
  marks.clear(1)
  t.notOk(marks.isSoldOut(1, 1), 'probe found stock: everyone goes through')
  t.notOk(marks.isSoldOut(1, 1))
})

t.test('a refusal of n units refuses n or more, not fewer', async (t) => {
  const marks = new SoldOutMarks(60_000)
  marks.setLive(true)
  marks.mark(1, 3)
  t.ok(marks.isSoldOut(1, 3))
  t.ok(marks.isSoldOut(1, 5))
  t.notOk(marks.isSoldOut(1, 2), 'two units may still be left')
  marks.mark(1, 1)
  t.ok(marks.isSoldOut(1, 1), 'a smaller refusal lowers the threshold')
  marks.mark(1, 4)
  t.ok(marks.isSoldOut(1, 1), 'and a larger one does not raise it')
})

t.test('clear (a restock event) lifts a mark at once', async (t) => {
  const marks = new SoldOutMarks(60_000)
  marks.setLive(true)
  marks.mark(7, 1)
  marks.clear(7)
  t.notOk(marks.isSoldOut(7, 1))
})

t.test(
  'without a live event subscription nothing is marked, and reconnecting forgets old marks',
  async (t) => {
    const marks = new SoldOutMarks(60_000)
    marks.mark(1, 1)
    t.notOk(marks.isSoldOut(1, 1), 'not live yet: a restock could be missed')
    marks.setLive(true)
    marks.mark(1, 1)
    marks.setLive(false)
    t.notOk(marks.isSoldOut(1, 1))
    marks.setLive(true)
    marks.mark(2, 1)
    marks.setLive(true)
    t.notOk(marks.isSoldOut(2, 1), 'a resubscribe may have missed events: start clean')
  },
)

t.test('a zero TTL disables the cache', async (t) => {
  const marks = new SoldOutMarks(0)
  marks.setLive(true)
  marks.mark(1, 1)
  t.notOk(marks.isSoldOut(1, 1))
})

t.test('a refusal asked for before a restock event cannot mark the product again', async (t) => {
  // At a sale's opening, reserves sent just before the restock come back out_of_stock just after its
  // event cleared the mark: they must not mark the product sold out while it has its new stock.
  const marks = new SoldOutMarks(60_000)
  marks.setLive(true)
  const asked = marks.version()
  marks.clear(3)
  marks.mark(3, 1, asked)
  t.notOk(marks.isSoldOut(3, 1), 'the stale refusal is ignored')
  marks.mark(3, 1, marks.version())
  t.ok(marks.isSoldOut(3, 1), 'a refusal asked after the restock marks it')

  const before = marks.version()
  marks.clear(4)
  marks.mark(5, 1, before)
  t.ok(marks.isSoldOut(5, 1), "another product's restock changes nothing")

  const beforeReconnect = marks.version()
  marks.setLive(false)
  marks.setLive(true)
  marks.mark(6, 1, beforeReconnect)
  t.notOk(marks.isSoldOut(6, 1), 'nor a refusal asked before the subscription came back')
})
