import { constants } from 'node:fs'
import { access, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SERVICE_PORTS, SERVICES } from '@flash/routes'
import t from 'tap'
import { parse } from 'yaml'
import { REPO_ROOT, targetsVariable } from '../src/index.ts'

// No Docker engine here: these checks keep the container files consistent with the code they ship.
const read = (path: string) => readFile(join(REPO_ROOT, path), 'utf8')

interface ComposeService {
  image?: string
  build?: { context: string; dockerfile: string }
  environment?: Record<string, string>
  env_file?: { path: string }[]
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test: string[] }
}
const compose = parse(await read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>
}
const services = compose.services

/** Workspace name → folder, from every workspace manifest. */
async function workspaces(): Promise<Map<string, string>> {
  const map = new Map<string, string>([['@flash/tools', 'tools']])
  for (const parent of ['packages', 'apps']) {
    for (const name of await readdir(join(REPO_ROOT, parent))) {
      const manifest = await read(join(parent, name, 'package.json')).catch(() => undefined)
      if (manifest) map.set((JSON.parse(manifest) as { name: string }).name, `${parent}/${name}`)
    }
  }
  return map
}

/** Folders of the workspace packages `name` depends on, directly or not. */
async function localDependencies(name: string, all: Map<string, string>): Promise<string[]> {
  const found = new Set<string>()
  const queue = [name]
  for (let i = 0; i < queue.length && i < 100; i++) {
    const manifest = JSON.parse(await read(join(all.get(queue[i]!)!, 'package.json'))) as {
      dependencies?: Record<string, string>
    }
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (all.has(dep) && !found.has(dep)) {
        found.add(dep)
        queue.push(dep)
      }
    }
  }
  return [...found].map((d) => all.get(d)!).sort()
}

const all = await workspaces()

const dockerfile = await read('Dockerfile')
/** The Dockerfile's stages by name, each as its instruction lines (continuations joined). */
const stages = new Map<string, string[]>()
{
  let current: string[] = []
  for (const line of dockerfile.replace(/\\\n\s*/g, ' ').split('\n')) {
    const from = /^FROM \S+ AS (\S+)$/.exec(line)
    if (from) {
      current = []
      stages.set(from[1]!, current)
    } else if (line && !line.startsWith('#')) current.push(line)
  }
}
const stage = (name: string) => stages.get(name) ?? []
/** The Dockerfile's `${APP}` reference, spelled without a template-looking literal. */
const APP_ARG = ['$', '{APP}'].join('')

/** Files matching the root package.json's workspace globs (one `*` per segment at most). */
async function manifestsOf(globs: string[]): Promise<string[]> {
  const found: string[] = []
  for (const glob of globs) {
    const [parent, rest] = glob.split('/*')
    if (rest === undefined) {
      await access(join(REPO_ROOT, glob)).then(
        () => found.push(glob),
        () => undefined,
      )
      continue
    }
    for (const name of await readdir(join(REPO_ROOT, parent!))) {
      const path = `${parent}/${name}${rest}`
      await access(join(REPO_ROOT, path)).then(
        () => found.push(path),
        () => undefined,
      )
    }
  }
  return found.sort()
}

t.test('npm ci in the image sees every workspace manifest of the workspace graph', async (t) => {
  const root = JSON.parse(await read('package.json')) as { workspaces: string[] }
  const expected = await manifestsOf(root.workspaces.map((w) => `${w}/package.json`))
  const copy = stage('manifests').find((l) => l.startsWith('COPY --parents '))
  t.ok(copy, 'the manifests stage copies the workspace manifests')
  const globs = copy!.split(' ').slice(2, -1)
  t.same(await manifestsOf(globs), expected)
  t.same(
    [...all.values()].map((f) => `${f}/package.json`).sort(),
    expected.filter((m) => m !== 'test/package.json' && m !== 'infra/package.json'),
  )
  t.ok(stage('manifests').includes('COPY package.json package-lock.json ./'))
  const ignore = await read('.dockerignore')
  for (const dir of ['test', 'infra'])
    t.match(ignore, new RegExp(`^!${dir}/package.json$`, 'm'), `${dir} manifest kept`)
})

for (const service of SERVICES) {
  t.test(`${service}: a compose service built from the one Dockerfile`, async (t) => {
    const spec = services[service] as ComposeService & {
      build?: { target?: string; args?: Record<string, string> }
    }
    if (!spec) return t.fail(`docker-compose.yml has no ${service}`)
    t.same(spec.build, {
      context: '.',
      dockerfile: 'Dockerfile',
      target: 'app',
      args: { APP: service, PORT: String(SERVICE_PORTS[service]) },
    })
    t.equal(spec.environment?.PORT, String(SERVICE_PORTS[service]))
    t.equal(spec.environment?.HOST, '0.0.0.0')
    t.ok(
      spec.env_file?.some((f) => f.path === 'tmp/dev-keys/compose.env'),
      'gets SERVICE_TOKEN',
    )
    const holdsKey = spec.env_file?.some((f) => f.path === 'tmp/dev-keys/compose-auth.env') ?? false
    t.equal(holdsKey, service === 'auth-service', 'only auth-service gets the signing key')
    // The app stage copies packages/ whole and the app's folder: its local dependencies must all live there.
    for (const folder of await localDependencies(`@flash/${service}`, all)) t.match(folder, /^packages\//)
    await access(join(REPO_ROOT, 'apps', service, 'src/server.ts'))
    t.match(await read(`apps/${service}/src/server.ts`), /listenWithGrace/, 'drains on SIGTERM')
  })
}

t.test('the app stage: Node 24 slim, production deps of that app only, non-root, health check', async (t) => {
  t.match(dockerfile, /^ARG NODE_IMAGE=node:24-slim$/m)
  t.ok(stage('app-deps').some((l) => /npm ci --omit=dev --workspace="apps\/\$\{APP\}" /.test(l)))
  const app = stage('app')
  t.ok(app.includes('COPY --chown=node:node packages packages'))
  t.ok(app.includes(`COPY --chown=node:node apps/${APP_ARG} apps/${APP_ARG}`))
  t.ok(app.includes('COPY --from=app-deps --chown=node:node /app ./'))
  t.ok(app.includes('USER node'))
  t.ok(app.some((l) => /^HEALTHCHECK .*\/health/.test(l)))
  t.ok(app.includes(`WORKDIR /app/apps/${APP_ARG}`))
  t.equal(app.at(-1), 'CMD ["node", "src/server.ts"]')
  t.ok(stage('runtime').includes('STOPSIGNAL SIGTERM'))
  t.equal([...stages.keys()].at(-1), 'app', 'the default target is an app')
})

t.test('tools image: gateway, SQS emulator, migrations, audit and the DLQ CLI', async (t) => {
  const tools = stage('tools')
  t.ok(
    stage('tools-deps').some((l) =>
      /npm ci --omit=dev --workspace=tools --workspace=apps\/order-finalizer /.test(l),
    ),
  )
  for (const folder of ['packages', 'tools', 'apps/order-finalizer'])
    t.ok(tools.includes(`COPY --chown=node:node ${folder} ${folder}`), `copies ${folder}`)
  // Every workspace the tools need is in the image: the shared packages, and the finalizer (the queue
  // setup reads its queue variables; the image ships its DLQ CLI).
  for (const dep of [
    ...(await localDependencies('@flash/tools', all)),
    ...(await localDependencies('@flash/order-finalizer', all)),
  ])
    t.match(dep, /^(packages\/|apps\/order-finalizer$)/)
  t.ok(tools.includes('USER node'))
  for (const script of [
    'packages/db/src/cli.ts',
    'tools/src/audit.ts',
    'apps/order-finalizer/src/dlq-cli.ts',
    'tools/src/gateway.ts',
    'tools/src/sqs-emulator.ts',
  ])
    await access(join(REPO_ROOT, script))
  for (const name of ['gateway', 'sqs', 'migrate'])
    t.same(services[name]?.build, { context: '.', dockerfile: 'Dockerfile', target: 'tools' })
  const gateway = services.gateway!
  for (const service of SERVICES) {
    t.match(
      gateway.environment?.[targetsVariable(service)],
      new RegExp(`^http://${service}:${SERVICE_PORTS[service]}$`),
    )
  }
})

t.test("the host's npm run audit and npm run dlq reach the containers", async (t) => {
  const published = (name: string) => (services[name] as { ports?: string[] }).ports ?? []
  t.same(published('inventory-service'), [
    `127.0.0.1:\${INVENTORY_HOST_PORT:-${SERVICE_PORTS['inventory-service']}}:${SERVICE_PORTS['inventory-service']}`,
  ])
  t.match(
    await read('tools/src/audit.ts'),
    `http://127.0.0.1:${SERVICE_PORTS['inventory-service']}`,
    'audit default',
  )
  t.same(published('sqs'), [`127.0.0.1:\${SQS_HOST_PORT:-4566}:4566`])
  t.equal(services.sqs?.environment?.SQS_PORT, '4566')
})

t.test('infrastructure services and start order', async (t) => {
  t.equal(services.mysql?.image, 'mysql:8.4')
  t.equal(services.redis?.image, 'redis:7')
  for (const [name, spec] of Object.entries(services)) {
    for (const [dependency, { condition }] of Object.entries(spec.depends_on ?? {})) {
      const target = services[dependency]
      t.ok(target, `${name} depends on ${dependency}, which exists`)
      if (condition !== 'service_healthy') continue
      const dockerfile = target?.build?.dockerfile
      const checked = target?.healthcheck || (dockerfile && /^HEALTHCHECK /m.test(await read(dockerfile)))
      t.ok(checked, `${dependency} has a health check for ${name} to wait on`)
    }
  }
  t.equal(services['auth-service']?.depends_on?.migrate?.condition, 'service_completed_successfully')
})

t.test('CI runs the tests and the fault matrix before any deploy, as .ci/run does', async (t) => {
  const ci = parse(await read('.github/workflows/ci.yml')) as {
    jobs: Record<string, { services?: object; steps: { run?: string }[] }>
  }
  const test = ci.jobs.test!
  t.same(Object.keys(test.services ?? {}).sort(), ['mysql', 'redis'])
  t.same(
    test.steps.flatMap((s) => (s.run ? [s.run] : [])),
    ['npm ci', 'npm test', 'npm run test:faults'],
  )
  const deploy = parse(await read('.github/workflows/deploy.yml')) as {
    on: { workflow_run: { workflows: string[]; branches: string[] } }
    jobs: Record<string, { if?: string; needs?: string | string[] }>
  }
  t.same(deploy.on.workflow_run.workflows, ['ci'], 'deploy waits for CI')
  t.same(deploy.on.workflow_run.branches, ['main'])
  t.match(deploy.jobs.plan?.if, /conclusion == 'success'/, 'only after CI succeeded')
  for (const [name, job] of Object.entries(deploy.jobs))
    if (name !== 'plan') t.ok([job.needs ?? []].flat().includes('plan'), `${name} needs the plan`)

  await access(join(REPO_ROOT, '.ci/run'), constants.X_OK)
  const lines = (await read('.ci/run')).split('\n').filter((l) => l && !l.startsWith('#'))
  t.same(lines.slice(0, 3), ['set -euo pipefail', 'npm ci', 'npm test'], "the README's test command, first")
  t.ok(
    lines.some((l) => l.includes('npm run test:faults')),
    'then the fault matrix',
  )
})
