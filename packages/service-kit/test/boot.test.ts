import t from 'tap'
import { boot, isTransientBootError, TimedOut } from '../src/index.ts'

t.test('a start that fails on a slow dependency is tried again until it boots', async (t) => {
  let tries = 0
  const lines: string[] = []
  const write = console.error
  console.error = (line: string) => lines.push(String(line))
  t.teardown(() => {
    console.error = write
  })
  await boot(
    async () => {
      tries++
      if (tries === 1) throw new Error('Command timed out')
      if (tries === 2) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    },
    { firstDelayMs: 1 },
  )
  t.equal(tries, 3, 'booted on the third try')
  t.match(lines, [/boot attempt 1 of 5 failed \(Command timed out\)/, /boot attempt 2 of 5 failed/])
})

t.test('what counts as a dependency that may answer a moment later', async (t) => {
  t.ok(isTransientBootError(new Error('Command timed out')), 'an ioredis command timeout')
  t.ok(isTransientBootError(new TimedOut('readiness check timed out')), 'our own deadline')
  t.ok(
    isTransientBootError(Object.assign(new Error('lost'), { code: 'PROTOCOL_CONNECTION_LOST' })),
    'MySQL lost',
  )
  t.notOk(isTransientBootError(Object.assign(new Error('bad'), { name: 'ConfigError' })), 'a bad config')
  t.notOk(isTransientBootError(Object.assign(new Error('taken'), { code: 'EADDRINUSE' })), 'a port taken')
  t.notOk(
    isTransientBootError(new Error('the database lacks migration 2026-12-05T1100')),
    'a schema mismatch',
  )
})
