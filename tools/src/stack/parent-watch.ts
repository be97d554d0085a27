// Preloaded into every child of the stack (`node --import <this file> <script>`), so the services,
// the gateway and the migration run need no code of their own for it. The supervisor gives each child
// an IPC channel and never sends on it: the channel closes only when the supervisor is gone — killed
// outright, or dead of a signal it does not handle — and then this child must not outlive it. Its
// children run in process groups of their own (so Ctrl-C reaches only the supervisor), so nothing
// else would ever stop them and they would keep their ports.

/** How long an orphan may take to close gracefully before it exits regardless. */
export const ORPHAN_EXIT_MS = 3_000

const channel = process.channel
if (channel) {
  process.once('disconnect', () => {
    // Nobody reads our pipes any more: a write must not crash the graceful close below.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})
    setTimeout(() => process.exit(1), ORPHAN_EXIT_MS).unref()
    // The same path as the supervisor's own stop: servers close (close-with-grace), others just end.
    process.kill(process.pid, 'SIGTERM')
  })
  // The listener refs the channel; unref it so a short-lived child (migrations) still exits when done.
  channel.unref()
}
