import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { SERVICES } from '@flash/routes'
import t, { type Test } from 'tap'
import { assertPortFree } from '../src/index.ts'
import { fakeRepo } from './helpers/fake-repo.ts'
import { alive, killAll } from './helpers/procs.ts'

// Issue 6: closing the terminal of `npm start` or killing its supervisor must not leave services,
// the gateway or the emulator running. Real processes: a supervisor (helpers/dev-stack-child.ts)
// running the fake services and the real gateway, which this test hangs up on or kills outright.
if (!existsSync('/proc/self/stat')) t.plan(0, 'needs /proc to list and watch processes')

const CHILD = fileURLToPath(new URL('./helpers/dev-stack-child.ts', import.meta.url))
const repoRoot = await fakeRepo(t, SERVICES)

interface Started {
  supervisor: ChildProcess
  pids: number[]
  ports: number[]
  lines: string[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts the supervisor in a process group of its own, like a shell does for a job in a terminal. */
async function startSupervisor(t: Test): Promise<Started> {
  const supervisor = spawn(process.execPath, [CHILD], {
    env: { ...process.env, FAKE_REPO: repoRoot },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  })
  const lines: string[] = []
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    supervisor.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const ready = new Promise<{ pids: number[]; ports: number[] }>((resolve, reject) => {
    createInterface({ input: supervisor.stdout! }).on('line', (line) => {
      lines.push(line)
      if (line.startsWith('STACK-READY ')) resolve(JSON.parse(line.slice('STACK-READY '.length)))
    })
    void exited.then(() =>
      reject(new Error(`the supervisor exited before it was ready:\n${lines.join('\n')}`)),
    )
  })
  const known: number[] = []
  // Whatever happens to the assertions, nothing this test started outlives it.
  t.teardown(() => killAll([supervisor.pid!, ...known]))
  const { pids, ports } = await ready
  known.push(...pids)
  return { supervisor, pids, ports, lines, exited }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits (bounded) until none of `pids` is alive; returns the ones still alive at the deadline. */
async function survivors(pids: readonly number[], withinMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + withinMs
  while (pids.some(alive) && Date.now() < deadline) await sleep(100)
  return pids.filter(alive)
}

async function assertAllGone(t: Test, { pids, ports }: Started) {
  t.ok(pids.length >= SERVICES.length + 1, `${pids.length} children: the services and the gateway`)
  t.same(await survivors(pids), [], 'every child exited')
  for (const port of ports) await assertPortFree(port, '127.0.0.1', `port ${port}`)
  t.pass(`ports ${ports.join(', ')} are free`)
}

t.test('SIGKILL of the supervisor takes every child with it', async (t) => {
  const started = await startSupervisor(t)
  t.ok(started.pids.every(alive), 'all running before the kill')
  process.kill(started.supervisor.pid!, 'SIGKILL')
  await started.exited
  await assertAllGone(t, started)
})

t.test('SIGHUP to the terminal’s process group stops the stack like Ctrl-C', async (t) => {
  const started = await startSupervisor(t)
  // The whole group, as the terminal does when it closes; the children have groups of their own.
  process.kill(-started.supervisor.pid!, 'SIGHUP')
  const exit = await started.exited
  t.same(exit, { code: 0, signal: null }, 'the supervisor exits by itself, not by the signal')
  t.ok(started.lines.includes('stack | SIGHUP: stopping'), 'it says why it stops')
  t.ok(started.lines.includes('stack | stopped'), 'an orderly stop')
  await assertAllGone(t, started)
})
