import { fileURLToPath } from 'node:url'
import { SERVICES, type ServiceName } from '@flash/routes'
import { targetsVariable } from '../gateway/config.ts'
import type { OutputSink } from './output.ts'
import type { Env } from './plan.ts'
import { type SupervisedProcess, spawnSupervised } from './supervisor.ts'

export interface GatewayProcessOptions {
  host: string
  port: number
  urls: Partial<Record<ServiceName, readonly string[]>>
  env: Env
  repoRoot: string
  output: OutputSink
}

/** This package's own gateway main, wherever the stack's apps live (tests use a stand-in repo root). */
const GATEWAY_MAIN = fileURLToPath(new URL('../gateway.ts', import.meta.url))

/** `tools/src/gateway.ts` as a child, pointed at every instance of every service. */
export function spawnGateway({
  host,
  port,
  urls,
  env,
  repoRoot,
  output,
}: GatewayProcessOptions): SupervisedProcess {
  const targets = Object.fromEntries(SERVICES.map((s) => [targetsVariable(s), urls[s]?.join(',')]))
  return spawnSupervised({
    label: 'gateway',
    args: [GATEWAY_MAIN],
    cwd: repoRoot,
    env: { ...env, ...targets, HOST: host, PORT: String(port) },
    output,
  })
}
