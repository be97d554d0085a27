// What `npm test` runs: type-check, lint, then every project's tests through nx, streaming their
// output, and a last plain line "Tests: N passed, M failed" that any CI can read.
import { spawn } from 'node:child_process'

function run(command: string, args: string[], onLine?: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env })
    let rest = ''
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk)
      const lines = (rest + chunk.toString()).split('\n')
      rest = lines.pop() ?? ''
      for (const line of lines) onLine?.(line)
    })
    child.on('close', (code) => {
      if (rest) onLine?.(rest)
      resolve(code ?? 1)
    })
  })
}

const npx = 'npx'
const steps: [string, string[]][] = [
  ['typecheck', ['tsc', '-b', 'tsconfig.json']],
  ['lint', ['biome', 'check', '.']],
]
for (const [name, args] of steps) {
  console.log(`\n== ${name}: npx ${args.join(' ')}`)
  const code = await run(npx, args)
  if (code !== 0) {
    console.log(`\n${name} failed (exit ${code})`)
    process.exit(code)
  }
}

// tap ends each project's run with "# { total: N, pass: P, fail: F, ... }" (fail only when > 0);
// nx prefixes every line with "<project>: ". The last summary per project wins (some print twice).
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')
const summary = /^(\S+):\s+# \{ total: \d+, pass: (\d+)(?:, fail: (\d+))?/
const perProject = new Map<string, { pass: number; fail: number }>()
const extra = process.argv.slice(2)
console.log('\n== tests: nx run-many -t test')
const code = await run(
  npx,
  ['nx', 'run-many', '-t', 'test', '--parallel=2', '--outputStyle=stream', ...extra],
  (line) => {
    const m = summary.exec(line.replace(ansi, '').trim())
    if (m) perProject.set(m[1]!, { pass: Number(m[2]), fail: Number(m[3] ?? 0) })
  },
)
let passed = 0
let failed = 0
for (const { pass, fail } of perProject.values()) {
  passed += pass
  failed += fail
}
if (code !== 0 && failed === 0) failed = 1
console.log(`\nTests: ${passed} passed, ${failed} failed`)
process.exit(code)
