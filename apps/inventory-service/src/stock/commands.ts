import { readFileSync } from 'node:fs'
import type { Cluster, Redis, Result } from 'ioredis'

/** What the stock scripts answer: flat Lua tables of integers, bulk strings and nil (false). */
export type ScriptReply = (string | number | null)[]

type Key = string
type Arg = string | number

// Types of the custom commands defined below. Keys come first, in the order of `ProductKeys`.
declare module 'ioredis' {
  interface RedisCommander<Context> {
    stockReserve(...args: [Key, Key, Key, Key, Key, Key, Arg, Arg, Arg, Arg]): Result<ScriptReply, Context>
    stockSettleWindow(...args: [Key, Key, Key, Arg, Arg]): Result<ScriptReply, Context>
    stockInvalidate(...args: [Key, Key, Key, Key, Key, Key, Key, Arg, Arg, Arg]): Result<number, Context>
    stockCommit(...args: [Key, Key, Key, Key, Key, Key, Arg, Arg]): Result<ScriptReply, Context>
    stockGiveBack(
      ...args: [Key, Key, Key, Key, Key, Key, Key, Key, Arg, Arg, Arg, Arg, 'release' | 'return']
    ): Result<ScriptReply, Context>
    // The user pairs travel as one array (ioredis flattens it): spreading 100k+ values overflows the stack.
    stockWarm(
      ...args: [Key, Key, Key, Key, Key, Key, Key, Key, Arg, Arg, Arg, Arg, Arg, Arg, Arg, Arg, Arg, Arg[]]
    ): Result<ScriptReply, Context>
    stockProbe(...args: [Key, Key, Key, Key]): Result<ScriptReply, Context>
    stockReconcile(...args: [Key, Key, Key, Key, Arg, Arg, Arg, Arg, Arg]): Result<ScriptReply, Context>
    stockRestock(...args: [Key, Key, Arg]): Result<ScriptReply, Context>
    stockSetMeta(...args: [Key, Key, Arg, Arg]): Result<number, Context>
    stockSetWindow(...args: [Key, Key, Arg, Arg]): Result<number, Context>
    stockExpired(...args: [Key, Key, Arg, Arg]): Result<ScriptReply, Context>
    stockExtend(...args: [Key, Key, Arg, Arg]): Result<number, Context>
    stockSnapshot(...args: [Key, Key, Key, Key, Key, Key]): Result<ScriptReply, Context>
    stockTrimTombstones(...args: [Key, Key, Arg, Arg]): Result<number, Context>
  }
}

function lua(file: string): string {
  return readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8')
}

// Read once at module load; ioredis sends EVAL once per connection, then EVALSHA (one round trip).
const DEFINITIONS = {
  stockReserve: { numberOfKeys: 6, lua: lua('reserve.lua') },
  stockCommit: { numberOfKeys: 6, lua: lua('commit.lua') },
  stockGiveBack: { numberOfKeys: 8, lua: lua('give-back.lua') },
  stockWarm: { numberOfKeys: 8, lua: lua('warm.lua') },
  stockSettleWindow: { numberOfKeys: 3, lua: lua('settle.lua') },
  stockInvalidate: { numberOfKeys: 7, lua: lua('invalidate.lua') },
  stockProbe: { numberOfKeys: 4, lua: lua('probe.lua') },
  stockReconcile: { numberOfKeys: 4, lua: lua('reconcile.lua') },
  stockRestock: { numberOfKeys: 2, lua: lua('restock.lua') },
  stockSetMeta: { numberOfKeys: 2, lua: lua('set-meta.lua') },
  stockSetWindow: { numberOfKeys: 2, lua: lua('set-window.lua') },
  stockExpired: { numberOfKeys: 2, lua: lua('expired.lua') },
  stockExtend: { numberOfKeys: 2, lua: lua('extend.lua') },
  stockSnapshot: { numberOfKeys: 6, lua: lua('snapshot.lua') },
  stockTrimTombstones: { numberOfKeys: 2, lua: lua('trim-tombstones.lua') },
} as const

const defined = new WeakSet<Redis | Cluster>()

/** Defines the stock commands on a client (once per client; the service may share its client). */
export function defineStockCommands(redis: Redis | Cluster): void {
  if (defined.has(redis)) return
  for (const [name, definition] of Object.entries(DEFINITIONS)) redis.defineCommand(name, definition)
  defined.add(redis)
}
