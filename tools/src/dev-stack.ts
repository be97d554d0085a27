// `npm start`: the whole platform on this machine — migrations, the SQS emulator on 127.0.0.1:4566
// (or the one at SQS_ENDPOINT), the four services and the gateway on :8080. MySQL and Redis come from
// the environment (DATABASE_URL, REDIS_URL; defaults 127.0.0.1:3306 / :6379).
//
// Every variable in this shell reaches every service. Local defaults you may override:
//   LOG_LEVEL=info  ADMIN_EMAIL=admin@example.com  ADMIN_PASSWORD=admin-password-change-me
// The JWT signing key and SERVICE_TOKEN are generated once into tmp/dev-keys/ (delete it to rotate).
// Ctrl-C stops everything; if any process dies, the rest are stopped and the exit code is 1.
import { prefixedOutput, startStack } from './stack/index.ts'

const output = prefixedOutput()
const say = (line: string) => output('stack', line, 'stdout')
const startup = new AbortController()
let stop: (() => Promise<void>) | undefined
let signals = 0

const onSignal = (signal: NodeJS.Signals) => {
  signals++
  // A second Ctrl-C means "now": the stack's exit hook SIGKILLs whatever is still running.
  if (signals > 1) process.exit(130)
  say(`${signal}: stopping`)
  if (stop) void stop()
  else startup.abort()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

try {
  const stack = await startStack({
    output,
    signal: startup.signal,
    ...(process.env.SQS_ENDPOINT ? { sqsEndpoint: process.env.SQS_ENDPOINT } : {}),
  })
  stop = stack.stop
  say(`ready: API ${stack.gatewayUrl}/api  docs ${stack.gatewayUrl}/docs  SQS ${stack.sqsEndpoint}`)
  say(`admin account: ${stack.env.ADMIN_EMAIL ?? '(none)'}`)
  const exit = await stack.done
  if (exit.reason === 'crashed') {
    say(`stopped everything because ${exit.label} exited (${exit.code ?? exit.signal})`)
    process.exitCode = 1
  } else {
    say('stopped')
  }
} catch (error) {
  say(`failed to start: ${(error as Error).message}`)
  process.exitCode = 1
}
