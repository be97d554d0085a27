import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { createWorld, SERVICE_TOKEN } from './helpers.ts'

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url))
const PARENT_WATCH = fileURLToPath(new URL('../../../tools/src/stack/parent-watch.ts', import.meta.url))
const world = await createWorld(t, 'inv-boot')

/** Runs server.ts with exactly `env` (plus PATH) on this Node; killed at 20 s if it neither exits nor is stopped. */
function runServer(env: Record<string, string>, onLine?: (line: string, stop: () => void) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    // With the dev stack's parent watch, as `npm start` runs it: if this test process dies (tap's
    // timeout), the server goes too instead of keeping its port and database.
    const child = spawn(process.execPath, ['--import', PARENT_WATCH, SERVER], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    })
    const out = { stdout: '', stderr: '' }
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    let pending = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out.stdout += chunk.toString()
      const lines = (pending + chunk.toString()).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) onLine?.(line, () => child.kill('SIGTERM'))
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      out.stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(killer)
      resolve({ code, ...out })
    })
  })
}

const { SERVICE_TOKEN: _omit, ...withoutToken } = world.env
const refusals: Record<string, [Record<string, string>, RegExp]> = {
  'missing SERVICE_TOKEN': [withoutToken, /SERVICE_TOKEN/],
  'SERVICE_TOKEN too short': [{ ...world.env, SERVICE_TOKEN: 'short' }, /SERVICE_TOKEN/],
  'SWEEP_INTERVAL_MS below 100': [{ ...world.env, SWEEP_INTERVAL_MS: '10' }, /SWEEP_INTERVAL_MS/],
  'RESERVATION_TTL_SECONDS not a number': [
    { ...world.env, RESERVATION_TTL_SECONDS: 'soon' },
    /RESERVATION_TTL_SECONDS/,
  ],
}
for (const [name, [env, names]] of Object.entries(refusals)) {
  t.test(`refuses to boot: ${name}`, async (t) => {
    const run = await runServer(env)
    t.equal(run.code, 1)
    t.match(run.stderr, names, 'names the variable')
  })
}

t.test('boots, serves, sweeps, and shuts down cleanly on SIGTERM', async (t) => {
  let ready = 0
  const run = await runServer(
    { ...world.env, PORT: '0', LOG_LEVEL: 'info', SWEEP_INTERVAL_MS: '100' },
    (line, stop) => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)
      if (!match) return
      fetch(`${match[1]}/ready`)
        .then((res) => {
          ready = res.status
        })
        // A few sweeper ticks run before the stop.
        .finally(() => setTimeout(stop, 300))
    },
  )
  t.equal(ready, 200, '/ready over TCP')
  t.equal(run.code, 0, 'clean exit after SIGTERM')
  t.match(run.stdout, /"service":"inventory-service"/, 'pino JSON logs')
  t.notOk(run.stdout.includes(SERVICE_TOKEN), 'the service credential never reaches a log')
})
