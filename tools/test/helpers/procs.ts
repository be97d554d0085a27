import { readdirSync, readFileSync } from 'node:fs'

/** State and parent of a process from /proc/<pid>/stat (Linux), or undefined once it is gone. */
function stat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name in parentheses may contain spaces: fields start after its closing paren.
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { state: state ?? '?', ppid: Number(ppid) }
  } catch {
    return undefined
  }
}

/** Alive and not a zombie: a container's PID 1 may never reap an orphan, but a zombie holds no port. */
export const alive = (pid: number) => {
  const s = stat(pid)
  return s !== undefined && s.state !== 'Z' && s.state !== 'X'
}

/** Every live process whose parent is `pid` right now. */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((p) => stat(p)?.ppid === pid && alive(p))
}

/** SIGKILL by PID, ignoring ones already gone (test cleanup). */
export function killAll(pids: readonly number[]) {
  for (const pid of pids) {
    try {
      if (alive(pid)) process.kill(pid, 'SIGKILL')
    } catch {
      // Gone in the meantime.
    }
  }
}
