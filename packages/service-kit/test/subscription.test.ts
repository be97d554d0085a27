import { eventually, TcpProxy, TEST_REDIS_URL } from '@flash/test-kit'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { Subscription } from '../src/index.ts'

const { hostname, port } = new URL(TEST_REDIS_URL)

/** A subscription on its own channel, through a proxy the test controls, and what it reported. */
async function subscribed(t: Test) {
  const proxy = await TcpProxy.start({ host: hostname, port: Number(port || 6379) })
  t.teardown(() => proxy.close())
  // No handshake (HELLO, CLIENT SETINFO) and no ready check: on a new link SUBSCRIBE is the first
  // request, so a stalled proxy holds exactly it.
  const redis = new Redis(proxy.url(TEST_REDIS_URL), {
    lazyConnect: true,
    enableReadyCheck: false,
    disableClientInfo: true,
    protocol: 2,
  })
  t.teardown(() => redis.disconnect())
  const channel = `test:subscription:${crypto.randomUUID()}`
  const seen = { messages: [] as string[], live: [] as boolean[], errors: [] as string[] }
  const subscription = new Subscription({
    redis,
    channel,
    onMessage: (m) => seen.messages.push(m),
    onLive: (live) => seen.live.push(live),
    onError: (error, context) => seen.errors.push(`${context}: ${error.message}`),
  })
  t.teardown(() => subscription.close())
  await subscription.start()
  const publisher = new Redis(TEST_REDIS_URL)
  t.teardown(() => publisher.disconnect())
  return { proxy, subscription, seen, publish: (m: string) => publisher.publish(channel, m) }
}

t.test(
  'messages arrive; after a dropped link it is live again only once SUBSCRIBE is confirmed',
  async (t) => {
    const { proxy, subscription, seen, publish } = await subscribed(t)
    await publish('one')
    t.ok(await eventually(async () => seen.messages.includes('one')))
    proxy.cut()
    t.ok(await eventually(async () => !subscription.live), 'not live while the link is down')
    proxy.resume()
    t.ok(await eventually(async () => subscription.live), 'live again after the reconnect')
    await publish('two')
    t.ok(await eventually(async () => seen.messages.includes('two')), 'and subscribed on the new link')
    t.same(seen.live, [true, false, true])
  },
)

t.test(
  'closed while the resubscribe is in flight: the failure is handled, not an unhandled rejection',
  async (t) => {
    // ioredis' own resubscribe (autoResubscribe) left this rejection unhandled, which ends a process.
    const { proxy, subscription, seen } = await subscribed(t)
    proxy.cut()
    t.ok(await eventually(async () => !subscription.live))
    proxy.stall()
    t.ok(await eventually(async () => proxy.heldRequestBytes > 0), 'the resubscribe is on the wire')
    subscription.close()
    // Let the rejection surface (tap fails the test on an unhandled one).
    await new Promise((resolve) => setTimeout(resolve, 50))
    t.equal(subscription.live, false)
    t.same(seen.live, [true, false], 'never reported live on a link whose SUBSCRIBE was not confirmed')
  },
)
