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

for (const service of SERVICES) {
  t.test(`${service}: a compose service and a Dockerfile that ships what it imports`, async (t) => {
    const spec = services[service]
    if (!spec) return t.fail(`docker-compose.yml has no ${service}`)
    const dockerfile = `apps/${service}/Dockerfile`
    t.equal(spec.build?.dockerfile, dockerfile)
    t.equal(spec.build?.context, '.')
    t.equal(spec.environment?.PORT, String(SERVICE_PORTS[service]))
    t.equal(spec.environment?.HOST, '0.0.0.0')
    t.ok(
      spec.env_file?.some((f) => f.path === 'tmp/dev-keys/compose.env'),
      'gets SERVICE_TOKEN',
    )
    const holdsKey = spec.env_file?.some((f) => f.path === 'tmp/dev-keys/compose-auth.env') ?? false
    t.equal(holdsKey, service === 'auth-service', 'only auth-service gets the signing key')

    const text = await read(dockerfile)
    t.match(text, /^ARG NODE_IMAGE=node:24-slim$/m)
    t.match(text, new RegExp(`npm ci --omit=dev --workspace=@flash/${service} `))
    t.match(text, /^USER node$/m)
    t.match(text, new RegExp(`^EXPOSE ${SERVICE_PORTS[service]}$`, 'm'))
    t.match(text, /^HEALTHCHECK .*\n.*\/health/m)
    t.match(text, new RegExp(`^CMD \\["node", "apps/${service}/src/server.ts"\\]$`, 'm'))
    for (const folder of [...(await localDependencies(`@flash/${service}`, all)), `apps/${service}`]) {
      t.match(text, new RegExp(`^COPY --chown=node:node ${folder} ${folder}$`, 'm'), `copies ${folder}`)
    }
  })
}

t.test('tools image: gateway, SQS emulator and migrations', async (t) => {
  const text = await read('tools/Dockerfile')
  for (const folder of [...(await localDependencies('@flash/tools', all)), 'tools']) {
    t.match(text, new RegExp(`^COPY --chown=node:node ${folder} ${folder}$`, 'm'), `copies ${folder}`)
  }
  for (const name of ['gateway', 'sqs', 'migrate'])
    t.equal(services[name]?.build?.dockerfile, 'tools/Dockerfile')
  const gateway = services.gateway!
  for (const service of SERVICES) {
    t.match(
      gateway.environment?.[targetsVariable(service)],
      new RegExp(`^http://${service}:${SERVICE_PORTS[service]}$`),
    )
  }
})

t.test('infrastructure services and start order', async (t) => {
  t.equal(services.mysql?.image, 'mysql:8.0')
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

t.test('CI runs the tests before any deploy, and .ci/run is exactly npm ci + npm test', async (t) => {
  const ci = parse(await read('.github/workflows/ci.yml')) as {
    jobs: Record<
      string,
      { needs?: string | string[]; if?: string; services?: object; steps: { run?: string }[] }
    >
  }
  const test = ci.jobs.test!
  t.same(Object.keys(test.services ?? {}).sort(), ['mysql', 'redis'])
  t.same(
    test.steps.flatMap((s) => (s.run ? [s.run] : [])),
    ['npm ci', 'npm test'],
  )
  for (const [name, job] of Object.entries(ci.jobs)) {
    if (name === 'test') continue
    t.ok([job.needs ?? []].flat().includes('test'), `${name} needs the tests`)
    t.match(job.if, /refs\/heads\/main/, `${name} runs on main only`)
  }

  await access(join(REPO_ROOT, '.ci/run'), constants.X_OK)
  const lines = (await read('.ci/run')).split('\n').filter((l) => l && !l.startsWith('#'))
  t.same(lines, ['set -euo pipefail', 'npm ci', 'npm test'])
})
