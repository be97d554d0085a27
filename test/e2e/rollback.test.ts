// The rollback promise (docs/deploy.md): after a deploy ran its migrations, the previous release's
// services still boot and serve on that schema — ECS's circuit-breaker rollback and any scale-out of
// the previous task definition depend on it. This boots the previous commit's four services and
// gateway (its own sources, this checkout's node_modules) against a database migrated by this
// commit, then buys through them. ROLLBACK_BASE picks another commit (default HEAD~1).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiClient, expectOk } from '@flash/api-client'
import { migrations, schemaStatus } from '@flash/db'
import { createTestDatabase, createTestRedisPrefix, uniqueName } from '@flash/test-kit'
import { generateDevSecrets, REPO_ROOT, startStack } from '@flash/tools'
import t from 'tap'
import { eventually } from '../src/index.ts'

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim()
const base = process.env.ROLLBACK_BASE ?? 'HEAD~1'
let sha: string
try {
  sha = git('rev-parse', '--verify', `${base}^{commit}`)
} catch {
  throw new Error(`rollback test: no commit ${base} here (CI checks out with fetch-depth: 0)`)
}

/**
 * The commit's tree, exported (not a `git worktree`: nothing is registered in the repository), with
 * this checkout's installed packages linked in — except our own workspace packages, which link to the
 * old tree's sources so the old services run their own shared code. A commit whose dependencies this
 * checkout no longer installs cannot be booted this way; its image carries its own.
 */
function exportCommit(commit: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'flash-rollback-'))
  execFileSync('bash', ['-c', `git archive --format=tar "${commit}" | tar -x -C "${dir}"`], {
    cwd: REPO_ROOT,
  })
  const modules = join(dir, 'node_modules')
  mkdirSync(join(modules, '@flash'), { recursive: true })
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    if (entry !== '@flash') symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(modules, entry))
  }
  const workspaces = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { workspaces: string[] })
    .workspaces
  for (const pattern of workspaces) {
    const folders = pattern.endsWith('/*')
      ? readdirSync(join(dir, pattern.slice(0, -2))).map((f) => `${pattern.slice(0, -2)}/${f}`)
      : [pattern]
    for (const folder of folders) {
      const manifest = join(dir, folder, 'package.json')
      if (!existsSync(manifest)) continue
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }
      if (name.startsWith('@flash/')) symlinkSync(join(dir, folder), join(modules, name))
      // Versions npm installed beside one workspace (a conflicting range) stay with it.
      const nested = join(REPO_ROOT, folder, 'node_modules')
      if (existsSync(nested)) symlinkSync(nested, join(dir, folder, 'node_modules'))
    }
  }
  return dir
}

t.test(`the previous release (${base}) boots and serves on this release's schema`, async (t) => {
  const tree = exportCommit(sha)
  t.teardown(() => rmSync(tree, { recursive: true, force: true }))
  const { url, db } = await createTestDatabase(t, 'rollback')
  const status = await schemaStatus(db)
  t.same(status.pending, [], 'migrated by this commit')
  const oldMigrations = readdirSync(join(tree, 'packages/db/src/migrations')).filter((f) => f !== 'index.ts')
  const newer = Object.keys(migrations).filter((name) => !oldMigrations.includes(`${name}.ts`))
  t.comment(
    `${sha.slice(0, 10)} does not know ${newer.length} of this commit's migrations: ${newer.join(', ') || 'none'}`,
  )

  const admin = { email: 'rollback-admin@example.com', password: 'rollback-admin-password' }
  const lines: string[] = []
  const stack = await startStack({
    repoRoot: tree,
    freePorts: true,
    migrate: false,
    inheritEnv: false,
    secrets: generateDevSecrets(),
    secretsDir: join(tree, 'tmp', 'dev-keys'),
    output: (label, line) => {
      lines.push(`${label} | ${line}`)
      if (lines.length > 300) lines.shift()
    },
    instances: { 'auth-service': 1, 'inventory-service': 1, 'order-service': 1, 'order-finalizer': 1 },
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: url,
      DB_POOL_SIZE: '4',
      REDIS_KEY_PREFIX: createTestRedisPrefix(t, 'rollback'),
      ORDERS_QUEUE_NAME: uniqueName('orders'),
      ORDERS_DLQ_NAME: `${uniqueName('orders')}-dlq`,
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      PASSWORD_HASH_MEMORY_KIB: '1024',
      PASSWORD_HASH_PASSES: '1',
    },
  }).catch((error: Error) => {
    throw new Error(`${error.message}\nlast output:\n${lines.join('\n')}`)
  })
  t.teardown(() => stack.stop())
  t.teardown(() => {
    if (!t.passing()) t.comment(`last output of the old stack:\n${lines.join('\n')}`)
  })
  const api = new ApiClient({ baseUrl: stack.gatewayUrl! })
  t.teardown(() => api.close())

  const adminToken = expectOk(await api.login(admin)).access_token
  const product = expectOk(
    await api.createProduct(adminToken, { name: 'Rollback', price_cents: 500, stock: 3 }),
  )
  const buyer = expectOk(
    await api.register({ name: 'Buyer', email: 'rollback-buyer@example.com', password: 'buyer-password' }),
  )
  const accepted = expectOk(
    await api.createOrder(buyer.access_token, { product_id: product.id, quantity: 2 }),
  )
  const order = await eventually(
    async () => {
      const seen = expectOk(await api.getOrder(buyer.access_token, accepted.order_uuid))
      return seen.status === 'pending' ? undefined : seen
    },
    { attempts: 300, intervalMs: 100 },
  )
  t.equal(order.status, 'completed', 'an order placed on the old release completes')
  const row = await db
    .selectFrom('products')
    .select('stock')
    .where('id', '=', product.id)
    .executeTakeFirstOrThrow()
  t.equal(row.stock, 1)
})
