import { spawn } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { dropDatabase, ensureDatabase } from '@flash/db'
import { TEST_MYSQL_SERVER, uniqueName } from '@flash/test-kit'
import t from 'tap'
import { createWorld } from './helpers.ts'

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url))
const PARENT_WATCH = fileURLToPath(new URL('../../../tools/src/stack/parent-watch.ts', import.meta.url))
const world = await createWorld(t, 'auth-boot')

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs server.ts with exactly `env` (plus PATH) on this Node (24, via npm test). `onLine` sees each
 * stdout line and may stop the child; a child that neither exits nor is stopped is killed at 20 s.
 */
function runServer(env: Record<string, string>, onLine?: (line: string, stop: () => void) => void) {
  return new Promise<Run>((resolve, reject) => {
    // With the dev stack's parent watch, as `npm start` runs it: if this test process dies (tap's
    // timeout), the server goes too instead of keeping its port and database.
    const child = spawn(process.execPath, ['--import', PARENT_WATCH, SERVER], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    })
    const out = { stdout: '', stderr: '' }
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      const before = out.stdout
      out.stdout += chunk.toString()
      const lines = out.stdout
        .slice(before.lastIndexOf('\n') + 1)
        .split('\n')
        .slice(0, -1)
      for (const line of lines) onLine?.(line, () => child.kill('SIGTERM'))
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      out.stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(killer)
      resolve({ code, signal, ...out })
    })
  })
}

const { JWT_PRIVATE_KEY: _omit, ...withoutKey } = world.env
const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()

const refusals: Record<string, { env: Record<string, string>; names: RegExp }> = {
  'PORT=abc': { env: { ...world.env, PORT: 'abc' }, names: /PORT/ },
  'missing JWT_PRIVATE_KEY': { env: withoutKey, names: /JWT_PRIVATE_KEY/ },
  'JWT_PRIVATE_KEY that is not a PEM': {
    env: { ...world.env, JWT_PRIVATE_KEY: 'secret' },
    names: /JWT_PRIVATE_KEY/,
  },
  'JWT_PRIVATE_KEY of the wrong type (RSA)': {
    env: { ...world.env, JWT_PRIVATE_KEY: rsaKey },
    names: /JWT_PRIVATE_KEY must be an Ed25519 key/,
  },
  'ACCESS_TOKEN_TTL_SECONDS over 15 minutes': {
    env: { ...world.env, ACCESS_TOKEN_TTL_SECONDS: '3600' },
    names: /ACCESS_TOKEN_TTL_SECONDS/,
  },
  'ADMIN_PASSWORD too short': {
    env: { ...world.env, ADMIN_EMAIL: 'a@example.com', ADMIN_PASSWORD: 'short' },
    names: /ADMIN_PASSWORD/,
  },
}

for (const [name, { env, names }] of Object.entries(refusals)) {
  t.test(`refuses to boot: ${name}`, async (t) => {
    const run = await runServer(env)
    t.not(run.code, 0, 'non-zero exit')
    t.equal(run.signal, null, 'exited by itself')
    t.match(run.stderr, names, 'names the variable')
    const key = env.JWT_PRIVATE_KEY
    const material = key?.includes('\n') ? key.split('\n')[1] : key
    if (material) t.notOk(run.stderr.includes(material), 'never prints the key material')
  })
}

t.test('refuses to boot on a database whose schema is not migrated', async (t) => {
  const url = `${TEST_MYSQL_SERVER.replace(/\/?$/, '/')}${uniqueName('auth-boot-empty')}`
  await ensureDatabase(url)
  t.teardown(() => dropDatabase(url))
  const run = await runServer({ ...world.env, DATABASE_URL: url })
  t.not(run.code, 0)
  t.match(run.stderr, /pending migrations/)
})

t.test('boots with a good environment, serves, and shuts down cleanly on SIGTERM', async (t) => {
  let port = 0
  let health = 0
  const run = await runServer(
    { ...world.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
    (line, stop) => {
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(line)
      if (!match) return
      port = Number(match[1])
      fetch(`http://127.0.0.1:${port}/ready`)
        .then((res) => {
          health = res.status
        })
        .finally(stop)
    },
  )
  t.ok(port > 0, 'listened on an ephemeral port')
  t.equal(health, 200, '/ready answered 200 over TCP')
  t.equal(run.code, 0, 'clean exit after SIGTERM', { stderr: run.stderr })
  t.match(run.stdout, /"service":"auth-service"/, 'pino JSON logs')
  t.notOk(run.stdout.includes(world.env.JWT_PRIVATE_KEY!.split('\n')[1]!), 'the key never reaches a log')
})
