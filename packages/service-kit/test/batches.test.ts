import t from 'tap'
import { Batches } from '../src/index.ts'

/** A send whose batches the test finishes by hand, to see what waits while they are on the wire. */
function recorder() {
  const sent: number[][] = []
  const finish: (() => void)[] = []
  const send = (batch: number[]) =>
    new Promise<void>((resolve) => {
      sent.push(batch)
      finish.push(resolve)
    })
  return { sent, finish, send }
}
const turn = () => new Promise((resolve) => setImmediate(resolve))

t.test("'turn': what is added in one turn goes together, in batches of at most maxItems", async (t) => {
  const { sent, send } = recorder()
  const batches = new Batches({ send, maxItems: 4, maxInFlight: 10, window: 'turn' })
  for (let i = 0; i < 6; i++) batches.add(i)
  t.same(sent, [], 'nothing goes before the turn ends')
  await turn()
  t.same(
    sent,
    [
      [0, 1, 2, 3],
      [4, 5],
    ],
    'the rest at the end of the turn',
  )
})

t.test('maxInFlight: items added while the slots are busy go as one batch when one frees', async (t) => {
  const { sent, finish, send } = recorder()
  const batches = new Batches({ send, maxItems: 100, maxInFlight: 1, window: 'now' })
  batches.add(1)
  batches.add(2)
  batches.add(3)
  t.same(sent, [[1]], "'now': the first goes at once, the rest wait for the slot")
  finish[0]!()
  await turn()
  t.same(sent, [[1], [2, 3]])
})

t.test('sizeOf weighs items against maxItems; a window in ms holds the first item for company', async (t) => {
  const sent: number[][] = []
  const send = async (batch: number[]) => {
    sent.push(batch)
  }
  const batches = new Batches({
    send,
    maxItems: 5,
    maxInFlight: 10,
    window: 60_000,
    sizeOf: (n: number) => n,
  })
  batches.add(2)
  batches.add(2)
  t.same(sent, [], 'within the window nothing goes')
  batches.add(3)
  t.same(sent, [[2, 2], [3]], 'the queue is full (7 ≥ 5): it goes, in batches of at most 5')
  batches.add(1)
  await batches.drain()
  t.same(sent, [[2, 2], [3], [1]], 'drain sends the rest without waiting for the window')
})

t.test('a failing send does not stop later batches', async (t) => {
  const seen: number[][] = []
  const batches = new Batches({
    send: async (batch: number[]) => {
      seen.push(batch)
      throw new Error('lost')
    },
    maxItems: 1,
    maxInFlight: 1,
    window: 'now',
  })
  batches.add(1)
  batches.add(2)
  await batches.drain()
  t.same(seen, [[1], [2]])
})
