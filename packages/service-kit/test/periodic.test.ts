import { eventually } from '@flash/test-kit'
import t from 'tap'
import { createServiceApp, runPeriodically } from '../src/index.ts'

t.test('ticks never overlap, a failed tick does not stop the next', async (t) => {
  const app = await createServiceApp({ service: 'periodic-test', logLevel: 'silent' })
  t.teardown(() => app.close())
  let active = 0
  let mostActive = 0
  let ticks = 0
  const errors: unknown[] = []
  // Each tick lasts many intervals: a timer that did not wait for it would start the next meanwhile.
  runPeriodically(
    app,
    1,
    async () => {
      active += 1
      mostActive = Math.max(mostActive, active)
      ticks += 1
      await new Promise((resolve) => setTimeout(resolve, 20))
      active -= 1
      if (ticks === 2) throw new Error('tick 2 failed')
    },
    (error) => errors.push(error),
  )
  t.equal(ticks, 0, 'nothing runs before the app is ready')
  await app.ready()
  t.ok(await eventually(async () => ticks >= 5))
  t.equal(mostActive, 1, 'one tick at a time')
  t.match(errors, [{ message: 'tick 2 failed' }], 'the failure went to onError, and ticking went on')
})

t.test('close waits for the running tick and no tick starts after it', async (t) => {
  const app = await createServiceApp({ service: 'periodic-test', logLevel: 'silent' })
  let started = 0
  let finished = 0
  let release: () => void = () => {}
  runPeriodically(
    app,
    1,
    async () => {
      started += 1
      await new Promise<void>((resolve) => {
        release = resolve
      })
      finished += 1
    },
    () => {},
  )
  await app.ready()
  t.ok(await eventually(async () => started === 1))
  let closed = false
  const closing = app.close().then(() => {
    closed = true
  })
  // The tick is still running: close must not have completed, however long we let it try.
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
  t.equal(closed, false, 'close is waiting for the tick')
  release()
  await closing
  t.equal(finished, 1, 'the tick completed before close returned')
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(started, 1, 'no tick after close')
})
