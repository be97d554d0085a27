// A stand-in for `npm start` in its own process: runDevStack against the fake repo named by FAKE_REPO,
// on free ports, with the real gateway. Prints `STACK-READY {pids, ports}` once everything answers,
// so a test can kill or hang up on this process and then look for what it left behind.
import { generateDevSecrets } from '../../src/index.ts'
import { childrenOf } from './procs.ts'
import { runDevStack } from '../../src/stack/run-dev.ts'

const repoRoot = process.env.FAKE_REPO
if (!repoRoot) throw new Error('FAKE_REPO is required')

process.exitCode = await runDevStack({
  repoRoot,
  secrets: generateDevSecrets(),
  migrate: false,
  inheritEnv: false,
  freePorts: true,
  graceMs: 5_000,
  readyTimeoutMs: 30_000,
  output: (label, line) => console.log(`${label} | ${line}`),
  onReady(stack) {
    const gateway = stack.gatewayUrl ? Number(new URL(stack.gatewayUrl).port) : undefined
    const ports = [...stack.instances.map((i) => i.port), Number(new URL(stack.sqsEndpoint).port)]
    if (gateway) ports.push(gateway)
    // Every child of this process, the gateway included, not only the ones the Stack API names.
    console.log(`STACK-READY ${JSON.stringify({ pids: childrenOf(process.pid), ports })}`)
  },
})
