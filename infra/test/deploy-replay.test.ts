// Replays deploy.yml's own rollout steps — the shell scripts as written in the workflow — with `aws`
// answering describe-stacks as CloudFormation would and `npm` recording each `cdk deploy` instead of
// calling AWS, then checks every recorded deploy against the committed template's Parameters (the
// template `cdk synth` writes, template.test.ts). No AWS account is needed to know that a first
// deploy into an empty account has every parameter it needs and migrates before any service starts.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { SERVICES } from '@flash/routes'
import t, { type Test } from 'tap'
import { parse } from 'yaml'
import { INFRA_ROOT } from '../src/synth.ts'
import { IMAGES, imageTagParameter, SIZING } from '../src/topology.ts'
import { evaluator, type TemplateJson } from './cloudformation.ts'

const root = join(INFRA_ROOT, '..')
const template = JSON.parse(
  readFileSync(join(INFRA_ROOT, 'cloudformation-template.json'), 'utf8'),
) as TemplateJson
interface Step {
  name?: string
  run?: string
  if?: string
  uses?: string
}
interface Job {
  if?: string
  needs?: string[]
  environment?: string
  permissions?: Record<string, string>
  steps: Step[]
  env?: Record<string, string>
}
const workflow = parse(readFileSync(join(root, '.github/workflows/deploy.yml'), 'utf8')) as {
  env: Record<string, string>
  jobs: Record<string, Job>
}
const rollout = workflow.jobs.rollout!
const deploys = rollout.steps.filter((s) => s.run?.includes('cdk deploy'))
const readParameters = rollout.steps.find(
  (s) => s.run?.includes('describe-stacks') && s.run.includes('stack-parameters.json'),
)!
const SHA = 'c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe'

/** `aws` that knows one stack (or none), `npm` that records its arguments: the only outside commands. */
function fakeTools(dir: string): string {
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(
    join(bin, 'aws'),
    `#!/usr/bin/env bash
if [[ "$1 $2" == "cloudformation describe-stacks" ]]; then
  if [[ -f "$FAKE_STACK" ]]; then cat "$FAKE_STACK"; exit 0; fi
  echo "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id FlashSale does not exist" >&2
  exit 254
fi
echo "unexpected aws $*" >&2; exit 99
`,
  )
  writeFileSync(
    join(bin, 'npm'),
    `#!/usr/bin/env bash
[[ "$1 $2 $3 $4 $5 $6" == "exec -w @flash/infra -- cdk deploy" ]] || { echo "unexpected npm $*" >&2; exit 99; }
printf '%s\\0' "$@" >> "$RECORD"; printf '\\n' >> "$RECORD"
`,
  )
  for (const tool of ['aws', 'npm']) chmodSync(join(bin, tool), 0o755)
  return bin
}

interface Deploy {
  stack: string
  parameters: Record<string, string>
  context: string[]
}

/** Runs the rollout's parameter and deploy steps in workflow order; returns the deploys `npm` saw. */
function replay(images: readonly string[], stack: Record<string, string> | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'flash-replay-'))
  try {
    const bin = fakeTools(dir)
    const record = join(dir, 'record')
    writeFileSync(record, '')
    const fakeStack = join(dir, 'stack.json')
    if (stack)
      writeFileSync(
        fakeStack,
        JSON.stringify(
          Object.entries(stack).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
        ),
      )
    const env = {
      PATH: [bin, dirname(process.execPath), process.env.PATH].join(delimiter),
      HOME: dir,
      RUNNER_TEMP: dir,
      RECORD: record,
      FAKE_STACK: fakeStack,
      SHA,
      STACK: workflow.env.STACK!,
      IMAGES: JSON.stringify(images),
      AWS_REGION: 'eu-west-1',
    }
    const failures: string[] = []
    for (const step of [readParameters, ...deploys]) {
      t.notMatch(
        step.run!,
        /\$\{\{/,
        `${step.name}: reads only environment variables, so this replay is faithful`,
      )
      const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
        cwd: root,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      })
      if (run.status !== 0) {
        failures.push(`${step.name}: ${run.stderr}`)
        break
      }
    }
    const recorded: Deploy[] = readFileSync(record, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const args = line.split('\0').filter(Boolean).slice(6)
        const deploy: Deploy = { stack: args[0]!, parameters: {}, context: [] }
        for (let i = 1; i < args.length; i++) {
          if (args[i] === '--parameters') {
            const [, name, value] = /^[^:]+:([^=]+)=(.*)$/.exec(args[++i]!)!
            deploy.parameters[name!] = value!
          } else if (args[i] === '-c') deploy.context.push(args[++i]!)
        }
        return deploy
      })
    return { recorded, failures }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** What CloudFormation checks of a deploy's parameters, with the values the stack already holds. */
function assertDeployable(t: Test, deploy: Deploy, previous: Record<string, string> = {}) {
  t.equal(deploy.stack, 'FlashSale')
  t.same(deploy.context, ['region=eu-west-1'], 'no context but the region: nothing a later deploy could undo')
  for (const [name, spec] of Object.entries(template.Parameters)) {
    const value = deploy.parameters[name] ?? previous[name] ?? spec.Default
    t.ok(value !== undefined, `${name} has a value`)
    if (spec.AllowedValues) t.ok(spec.AllowedValues.includes(value!), `${name}=${value} is allowed`)
  }
  for (const name of Object.keys(deploy.parameters))
    t.ok(name in template.Parameters, `${name} is a parameter`)
  for (const name of Object.keys(template.Parameters).filter(
    (n) => template.Parameters[n]!.Default === undefined,
  ))
    t.ok(name in deploy.parameters, `${name} (no default) is passed on every deploy`)
}

const desiredCounts = (parameters: Record<string, string>) =>
  evaluator(template, parameters)
    .resources('AWS::ECS::Service')
    .map(([, s]) => s.DesiredCount as number)

t.test('the rollout deploys twice, around the migration task', async (t) => {
  const names = rollout.steps.map((s) => s.name ?? s.uses ?? '')
  const at = (text: string) => names.findIndex((n) => n.startsWith(text))
  t.equal(deploys.length, 2)
  t.ok(at('Stack parameters') < at('Prepare'), 'the stack is read first')
  t.ok(at('Prepare') < at('Migrate') && at('Migrate') < at('Roll'), 'prepare, migrate, roll')
  t.notOk(rollout.steps.find((s) => s.name === 'Migrate')?.if, 'the migration task runs on every deploy')
  t.match(
    rollout.steps.find((s) => s.name === 'Migrate')?.run,
    /test "\$code" = "0"/,
    'a failed migration stops',
  )
})

t.test(
  'first deploy into an empty account: every parameter given, no service before the migration',
  async (t) => {
    const { recorded, failures } = replay(IMAGES, undefined)
    t.same(failures, [])
    t.equal(recorded.length, 2)
    const [prepare, roll] = recorded as [Deploy, Deploy]
    assertDeployable(t, prepare)
    assertDeployable(t, roll, prepare.parameters)
    for (const image of IMAGES) t.equal(prepare.parameters[imageTagParameter(image)], SHA)
    t.equal(prepare.parameters.SchemaReady, 'false')
    t.same(
      desiredCounts(prepare.parameters),
      SERVICES.map(() => 0),
      'the stack is created with no service task',
    )
    t.equal(roll.parameters.SchemaReady, 'true', 'set only after the Migrate step')
    t.same(
      desiredCounts(roll.parameters).sort(),
      SERVICES.map((s) => SIZING[s].minTasks).sort(),
      'then every service starts',
    )
  },
)

t.test('a first deploy without every image stops before any deploy, saying why', async (t) => {
  const { recorded, failures } = replay(['order-service'], undefined)
  t.same(recorded, [])
  t.match(failures[0], /does not exist yet: build .*auth-service/)
})

const live = {
  ...Object.fromEntries(IMAGES.map((image) => [imageTagParameter(image), 'previous0'])),
  SchemaReady: 'true',
  CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
  AlarmEmail: 'ops@example.com',
  AdminEmail: 'root@shop.example',
}

t.test("a normal deploy rolls only the built image and keeps the operator's settings", async (t) => {
  const { recorded, failures } = replay(['order-service', 'tools'], live)
  t.same(failures, [])
  const [prepare, roll] = recorded as [Deploy, Deploy]
  assertDeployable(t, prepare, live)
  assertDeployable(t, roll, live)
  t.equal(prepare.parameters.ToolsImageTag, SHA, 'the migrations ship first')
  t.equal(prepare.parameters.OrderServiceImageTag, 'previous0', 'services wait for the migration')
  t.equal(roll.parameters.OrderServiceImageTag, SHA)
  for (const image of ['auth-service', 'inventory-service', 'order-finalizer'] as const)
    t.equal(roll.parameters[imageTagParameter(image)], 'previous0', `${image} untouched`)
  for (const deploy of recorded)
    for (const name of ['CertificateArn', 'AlarmEmail', 'AdminEmail'])
      t.notOk(name in deploy.parameters, `${name} not named: CloudFormation keeps the operator's value`)
})

t.test('an infrastructure-only deploy (no image built) still deploys the stack', async (t) => {
  const { recorded, failures } = replay([], live)
  t.same(failures, [])
  t.equal(recorded.length, 2)
  for (const deploy of recorded) {
    assertDeployable(t, deploy, live)
    for (const image of IMAGES) t.equal(deploy.parameters[imageTagParameter(image)], 'previous0')
  }
  t.match(rollout.if, /needs\.images\.result == 'skipped'/, 'the rollout runs when the images job is skipped')
  t.match(rollout.if, /!cancelled\(\)/)
})

t.test('a stack from before SchemaReady keeps serving through its next deploy', async (t) => {
  const { SchemaReady: _, ...before } = live
  const { recorded } = replay(['order-service'], before)
  t.equal(recorded[0]?.parameters.SchemaReady, 'true')
})

t.test('only a push to main of this repository deploys; every AWS job waits for production', async (t) => {
  const plan = workflow.jobs.plan!.if!.replace(/\s+/g, ' ')
  for (const clause of [
    "github.event.workflow_run.conclusion == 'success'",
    "github.event.workflow_run.event == 'push'",
    "github.event.workflow_run.head_branch == 'main'",
    'github.event.workflow_run.head_repository.full_name == github.repository',
    "github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'",
  ])
    t.ok(plan.includes(clause), clause)
  // A fork's pull request from a branch named main: its CI run's event is pull_request.
  t.notMatch(plan, /\|\| github\.event\.workflow_run\.conclusion/, 'no clause that passes on success alone')
  for (const [name, job] of Object.entries(workflow.jobs)) {
    if (job.permissions?.['id-token'] === 'write')
      t.equal(job.environment, 'production', `${name}: production`)
    t.ok(name === 'plan' || job.needs?.includes('plan'), `${name} waits for the plan's checks`)
  }
})

t.test('images: node set up, and a tag that exists is not pushed again (immutable tags)', async (t) => {
  const steps = workflow.jobs.images!.steps
  t.ok(
    steps.some((s) => s.uses?.startsWith('actions/setup-node')),
    'setup-node before node runs',
  )
  const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action'))!
  t.equal(build.if, "steps.pushed.outputs.exists != 'true'")
  t.match(steps.find((s) => s.run?.includes('describe-images'))?.run, /--image-ids imageTag="\$SHA"/)
  t.ok(workflow.jobs.images!.needs?.includes('registry'), 'the repositories exist before the first push')
})
