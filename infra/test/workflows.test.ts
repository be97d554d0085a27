import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { SERVICE_PORTS, SERVICES } from '@flash/routes'
import t from 'tap'
import { affectedImages } from '../src/ci/affected-images.ts'
import { IMAGES } from '../src/topology.ts'

const root = join(import.meta.dirname, '../..')
const validator = join(root, 'node_modules/.bin/action-validator')
const run = promisify(execFile)
const workflows = ['ci.yml', 'deploy.yml'].map((f) => join(root, '.github/workflows', f))

t.test('both workflows pass action-validator (schema of GitHub Actions, offline)', async (t) => {
  for (const file of workflows) {
    const result = await run(validator, [file]).then(
      () => 0,
      (e: { code: number; stderr: string }) => {
        t.comment(e.stderr)
        return e.code
      },
    )
    t.equal(result, 0, file)
  }
})

t.test('CI builds every image, checks the template and tests with MySQL and Redis', async (t) => {
  const ci = await readFile(workflows[0]!, 'utf8')
  for (const image of IMAGES) {
    const port = image === 'tools' ? 8080 : SERVICE_PORTS[image]
    t.match(
      ci,
      new RegExp(`image: ${image}, target: ${image === 'tools' ? 'tools' : 'app'}, port: "${port}"`),
      image,
    )
  }
  t.match(ci, /run: npm run synth:check -w @flash\/infra/)
  t.match(ci, /run: cd infra && npx cdk synth/, 'the real CLI, as the docs run it')
  t.match(ci, /image: mysql:8\.4/, 'MySQL 8.4 LTS, as in RDS')
  t.match(ci, /fetch-depth: 0/, 'the rollback test needs the previous commit')
  t.match(ci, /run: npm run lint/)
  t.match(ci, /run: npm run typecheck/)
})

t.test(
  'deploy runs after green CI on main, with OIDC, migrations before the rollout, smoke tests',
  async (t) => {
    const deploy = await readFile(workflows[1]!, 'utf8')
    t.match(deploy, /workflow_run:\n\s+workflows: \[ci\]\n\s+types: \[completed\]\n\s+branches: \[main\]/)
    t.match(deploy, /conclusion == 'success'/)
    t.match(deploy, /id-token: write/)
    t.notMatch(deploy, /aws-access-key-id|AWS_SECRET_ACCESS_KEY/, 'no stored keys')
    t.ok(deploy.indexOf('name: Migrate') < deploy.indexOf('name: Roll ('))
    t.match(deploy, /options: \[auth-service, inventory-service, order-service, order-finalizer, tools\]/)
    t.match(deploy, /aws ecs wait services-stable/)
    for (const path of ['/health', '/ready']) t.match(deploy, path)
  },
)

t.test(
  'affected images follow nx: a shared package rolls its dependents, tools carries migrations',
  async (t) => {
    t.same(affectedImages(['@flash/order-service']), ['order-service'])
    t.same(affectedImages(['@flash/db', '@flash/tools', ...SERVICES.map((s) => `@flash/${s}`)]), [...IMAGES])
    t.same(affectedImages(['@flash/order-finalizer']), ['order-finalizer', 'tools'])
    t.same(affectedImages(['@flash/infra']), [])
  },
)
