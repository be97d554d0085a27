import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { type OutputStream, type SupervisedProcess, spawnSupervised } from '../src/index.ts'
import { tempDir } from './helpers/temp-dir.ts'

const dir = await tempDir(t, 'supervisor')
const script = async (name: string, source: string) => {
  const path = join(dir, name)
  await writeFile(path, source)
  return path
}

function collector() {
  const lines: { label: string; line: string; stream: OutputStream }[] = []
  let notify = () => {}
  return {
    lines,
    output: (label: string, line: string, stream: OutputStream) => {
      lines.push({ label, line, stream })
      notify()
    },
    /** Resolves once a line equal to `text` has been seen; rejects if `proc` exits first. */
    seen(text: string, proc: SupervisedProcess) {
      const printed = new Promise<void>((resolve) => {
        const check = () => {
          if (lines.some((l) => l.line === text)) resolve()
        }
        notify = check
        check()
      })
      const died = proc.exited.then(() => {
        throw new Error(`${proc.label} exited before printing ${text}`)
      })
      return Promise.race([printed, died])
    },
  }
}

t.test('labels each line of stdout and stderr and reports the exit code', async (t) => {
  const path = await script('talk.mjs', "console.log('one\\ntwo'); console.error('oops'); process.exit(3)")
  const out = collector()
  const proc = spawnSupervised({ label: 'talker', args: [path], cwd: dir, env: {}, output: out.output })
  t.same(await proc.exited, { code: 3, signal: null })
  t.notOk(proc.running)
  t.same(out.lines, [
    { label: 'talker', line: 'one', stream: 'stdout' },
    { label: 'talker', line: 'two', stream: 'stdout' },
    { label: 'talker', line: 'oops', stream: 'stderr' },
  ])
})

t.test('passes exactly the environment it is given', async (t) => {
  const path = await script(
    'env.mjs',
    'console.log(JSON.stringify({ a: process.env.A, home: process.env.HOME }))',
  )
  const out = collector()
  const proc = spawnSupervised({ label: 'env', args: [path], cwd: dir, env: { A: 'x' }, output: out.output })
  await proc.exited
  t.same(JSON.parse(out.lines[0]?.line ?? '{}'), { a: 'x' })
})

t.test('stop sends SIGTERM to a process that honours it', async (t) => {
  const path = await script('server.mjs', "setInterval(() => {}, 1000); console.log('up')")
  const out = collector()
  const proc = spawnSupervised({ label: 'polite', args: [path], cwd: dir, env: {}, output: out.output })
  await out.seen('up', proc)
  t.ok(proc.pid)
  t.same(await proc.stop(30_000), { code: null, signal: 'SIGTERM' })
  t.same(await proc.stop(30_000), { code: null, signal: 'SIGTERM' }, 'stopping again is harmless')
})

t.test('stop escalates to SIGKILL when SIGTERM is ignored', async (t) => {
  const path = await script(
    'stubborn.mjs',
    "process.on('SIGTERM', () => console.log('ignoring')); setInterval(() => {}, 1000); console.log('up')",
  )
  const out = collector()
  const proc = spawnSupervised({ label: 'stubborn', args: [path], cwd: dir, env: {}, output: out.output })
  await out.seen('up', proc)
  t.same(await proc.stop(200), { code: null, signal: 'SIGKILL' })
  t.ok(
    out.lines.some((l) => /SIGKILL/.test(l.line)),
    'says it had to kill',
  )
})
