import { TcpProxy } from '@flash/test-kit'

/** Which service's connections a proxy carries; faults can hit one kind of link or all of one kind. */
export type MysqlLink = 'auth' | 'inventory' | 'order' | 'finalizer'
export type SqsLink = 'order' | 'finalizer'

export interface Target {
  host: string
  port: number
}

/**
 * Every dependency of the stack behind a proxy the test controls. MySQL and SQS get one proxy per
 * service that uses them, so a fault can be aimed (a lost reply on the intake's INSERT only, a stalled
 * send of the intake only) or spread over all of them (MySQL cut). The finalizers reach
 * inventory-service through a proxy too: stalling it holds them between their MySQL commit and the
 * reservation commit.
 */
export class ProxySet {
  readonly mysql: Record<MysqlLink, TcpProxy>
  readonly sqs: Record<SqsLink, TcpProxy>
  readonly redis: TcpProxy
  readonly finalizerToInventory: TcpProxy

  private constructor(parts: {
    mysql: Record<MysqlLink, TcpProxy>
    sqs: Record<SqsLink, TcpProxy>
    redis: TcpProxy
    finalizerToInventory: TcpProxy
  }) {
    this.mysql = parts.mysql
    this.sqs = parts.sqs
    this.redis = parts.redis
    this.finalizerToInventory = parts.finalizerToInventory
  }

  static async start(targets: { mysql: Target; redis: Target; sqs: Target; inventory: Target }) {
    const started: TcpProxy[] = []
    const one = async (target: Target) => {
      const proxy = await TcpProxy.start(target)
      started.push(proxy)
      return proxy
    }
    try {
      return new ProxySet({
        mysql: {
          auth: await one(targets.mysql),
          inventory: await one(targets.mysql),
          order: await one(targets.mysql),
          finalizer: await one(targets.mysql),
        },
        sqs: { order: await one(targets.sqs), finalizer: await one(targets.sqs) },
        redis: await one(targets.redis),
        finalizerToInventory: await one(targets.inventory),
      })
    } catch (error) {
      await Promise.all(started.map((p) => p.close()))
      throw error
    }
  }

  get all(): TcpProxy[] {
    return [...Object.values(this.mysql), ...Object.values(this.sqs), this.redis, this.finalizerToInventory]
  }

  get allMysql(): TcpProxy[] {
    return Object.values(this.mysql)
  }

  get allSqs(): TcpProxy[] {
    return Object.values(this.sqs)
  }

  /** Every link forwarding again: a scenario's fault is over (also called before teardown). */
  healAll(): void {
    for (const proxy of this.all) proxy.resume()
  }

  async close(): Promise<void> {
    this.healAll()
    await Promise.all(this.all.map((p) => p.close()))
  }
}
