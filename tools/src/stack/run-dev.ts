import { prefixedOutput } from './output.ts'
import { type Stack, type StackOptions, startStack } from './stack.ts'

export interface DevRunOptions extends StackOptions {
  /** Called once the whole stack is ready (tests read the children's PIDs and ports here). */
  onReady?: (stack: Stack) => void
}

/**
 * `npm start` as a function: starts the stack, stops it on Ctrl-C, SIGTERM or SIGHUP (the terminal
 * closed), and resolves with the exit code the process should end with (1 when a child died or the
 * start failed).
 */
export async function runDevStack(options: DevRunOptions = {}): Promise<number> {
  const output = options.output ?? prefixedOutput()
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
  // SIGHUP's default action would kill this process at once and leave the children to their parent
  // watch; stopping them in order is kinder to in-flight work.
  const handled: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
  for (const s of handled) process.on(s, onSignal)
  // After a hangup the terminal is gone and writing to it fails (EIO); losing those lines must not
  // abort the orderly stop.
  const ignore = () => {}
  for (const stream of [process.stdout, process.stderr]) stream.on('error', ignore)

  try {
    const stack = await startStack({ ...options, output, signal: startup.signal })
    stop = stack.stop
    say(`ready: API ${stack.gatewayUrl}/api  docs ${stack.gatewayUrl}/docs  SQS ${stack.sqsEndpoint}`)
    say(`admin account: ${stack.env.ADMIN_EMAIL ?? '(none)'}`)
    options.onReady?.(stack)
    const exit = await stack.done
    if (exit.reason === 'crashed') {
      say(`stopped everything because ${exit.label} exited (${exit.code ?? exit.signal})`)
      return 1
    }
    say('stopped')
    return 0
  } catch (error) {
    say(`failed to start: ${(error as Error).message}`)
    return 1
  } finally {
    for (const s of handled) process.off(s, onSignal)
    for (const stream of [process.stdout, process.stderr]) stream.off('error', ignore)
  }
}
