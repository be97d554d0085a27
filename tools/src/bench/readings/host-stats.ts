// Linux TCP counters of the whole host, read around a load run to explain latency outliers.
import { readdir, readFile } from 'node:fs/promises'

/** Value of one `TcpExt:` counter in /proc/net/netstat-formatted text (pure). */
export function tcpExtCounter(netstat: string, name: string): number | undefined {
  const lines = netstat.split('\n').filter((l) => l.startsWith('TcpExt:'))
  const [keys, values] = [lines[0]?.split(/\s+/), lines[1]?.split(/\s+/)]
  const i = keys?.indexOf(name) ?? -1
  const value = i > 0 ? Number(values?.[i]) : Number.NaN
  return Number.isFinite(value) ? value : undefined
}

/**
 * Connections the kernel dropped because a listener's accept queue was full (TcpExtListenOverflows):
 * host-wide, so anything else running on the box counts too. Undefined off Linux.
 */
export async function listenOverflows(): Promise<number | undefined> {
  try {
    return tcpExtCounter(await readFile('/proc/net/netstat', 'utf8'), 'ListenOverflows')
  } catch {
    return undefined
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every mainstream Linux). */
const TICKS_PER_S = 100

export interface CpuSample {
  atMs: number
  /** Host: busy and total ticks over all cores since boot. */
  hostBusy: number
  hostTotal: number
  /** utime + stime ticks per watched process. */
  procs: Record<string, number>
}

/** busy (everything but idle and iowait) and total ticks from the first line of /proc/stat (pure). */
export function hostTicks(procStat: string): { busy: number; total: number } | undefined {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '))
  if (!line) return undefined
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = v.reduce((a, b) => a + b, 0)
  return { busy: total - (v[3] ?? 0) - (v[4] ?? 0), total }
}

/** utime + stime ticks from /proc/<pid>/stat text (pure; the command name may contain spaces). */
export function processTicks(pidStat: string): number | undefined {
  const fields = pidStat.slice(pidStat.lastIndexOf(')') + 2).split(' ')
  // Fields after the name start at field 3 (state): utime is field 14, stime 15.
  const ticks = Number(fields[11]) + Number(fields[12])
  return Number.isFinite(ticks) ? ticks : undefined
}

/** Pids of the database and cache servers the stack uses (part of the system under test). */
export async function serverPids(): Promise<Record<string, number>> {
  const found: Record<string, number> = {}
  let entries: string[] = []
  try {
    entries = await readdir('/proc')
  } catch {
    return found
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const comm = (await readFile(`/proc/${entry}/comm`, 'utf8')).trim()
      if (comm === 'mariadbd' || comm === 'mysqld') found.mysql = Number(entry)
      if (comm === 'redis-server') found.redis = Number(entry)
    } catch {
      // Exited meanwhile.
    }
  }
  return found
}

/** CPU ticks of the host and of each process; undefined off Linux. */
export async function cpuSample(pids: Record<string, number | undefined>): Promise<CpuSample | undefined> {
  try {
    const host = hostTicks(await readFile('/proc/stat', 'utf8'))
    if (!host) return undefined
    const procs: Record<string, number> = {}
    for (const [label, pid] of Object.entries(pids)) {
      if (!pid) continue
      try {
        const ticks = processTicks(await readFile(`/proc/${pid}/stat`, 'utf8'))
        if (ticks !== undefined) procs[label] = ticks
      } catch {
        // Exited meanwhile.
      }
    }
    return { atMs: performance.now(), hostBusy: host.busy, hostTotal: host.total, procs }
  } catch {
    return undefined
  }
}

export interface CpuUse {
  /** Cores the whole host was busy, on average. */
  host: number
  /** Cores each watched process used. */
  procs: Record<string, number>
  /** Host busy minus the watched processes: other work on the box (other engineers' tests …). */
  other: number
}

/** Average cores used between two samples (pure). */
export function cpuUse(a: CpuSample, b: CpuSample): CpuUse | undefined {
  const seconds = (b.atMs - a.atMs) / 1000
  if (seconds <= 0) return undefined
  const cores = (ticks: number) => ticks / TICKS_PER_S / seconds
  const procs: Record<string, number> = {}
  let ours = 0
  for (const [label, ticks] of Object.entries(b.procs)) {
    const before = a.procs[label]
    if (before === undefined) continue
    procs[label] = cores(ticks - before)
    ours += ticks - before
  }
  const host = cores(b.hostBusy - a.hostBusy)
  return { host, procs, other: Math.max(0, host - cores(ours)) }
}

/** Pid of a direct child of this process whose command line contains `needle` (Linux; else undefined). */
export async function childPid(needle: string): Promise<number | undefined> {
  let entries: string[] = []
  try {
    entries = await readdir('/proc')
  } catch {
    return undefined
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid !== process.pid) continue
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').join(' ')
      if (cmdline.includes(needle)) return Number(entry)
    } catch {
      // Exited meanwhile.
    }
  }
  return undefined
}
