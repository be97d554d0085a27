import { expectOk } from '@flash/api-client'
import { waitForQuiet } from './converge.ts'
import { type MatrixRow, measure } from './measure.ts'
import { DEFAULT_PAYMENTS, LifecycleProgress, PaymentActors } from './payments.ts'
import { DEFAULT_SALE, registerBuyers, runSale, SaleProgress } from './sale.ts'
import { type FaultContext, type Scenario, seeded, sleep } from './scenario.ts'
import type { StackKeeper } from './stack-keeper.ts'
import { rowHolds } from './table.ts'

export interface RunOptions {
  keeper: StackKeeper
  seed: number
  /** Bound on the wait for quiet after the fault and the sale are over. */
  convergeTimeoutMs: number
}

/**
 * One row of the matrix: a fresh stack, buyers, a hot product; the sale starts, the fault strikes
 * while it runs and is healed; then the bounded wait for quiet and the audit of the contract.
 */
export async function runScenario(
  scenario: Scenario,
  options: RunOptions,
): Promise<{ row: MatrixRow; output: string }> {
  try {
    const result = await measureScenario(scenario, options)
    // A stack that broke the contract may carry damage: the next scenario gets a fresh one.
    if (!rowHolds(result.row, scenario.requireAnswered)) await options.keeper.discard()
    return result
  } catch (error) {
    await options.keeper.discard()
    throw error
  }
}

async function measureScenario(
  scenario: Scenario,
  options: RunOptions,
): Promise<{ row: MatrixRow; output: string }> {
  const began = Date.now()
  const { fs, reused } = await options.keeper.acquire(scenario.env)
  const stackUp = Date.now()
  const plan = { ...DEFAULT_SALE, ...scenario.plan }
  const buyers = await registerBuyers(fs, plan.buyers, scenario.id)
  const registered = Date.now()
  const product = expectOk(
    await fs.api.createProduct(fs.adminToken, {
      name: `Hot ${scenario.id}`,
      price_cents: 1_000,
      stock: plan.stock,
      max_per_user: plan.maxPerUser,
    }),
  )
  const random = seeded(options.seed)
  const notes: string[] = []
  let dlqResidue = 0
  const progress = new SaleProgress()
  const lifecycle = scenario.payments ? new LifecycleProgress() : undefined
  const actors = scenario.payments
    ? new PaymentActors(
        fs,
        { ...DEFAULT_PAYMENTS, ...scenario.payments },
        seeded(options.seed + 1000),
        lifecycle!,
      )
    : undefined
  if (actors) progress.onAccepted = (buyer, uuid) => actors.accepted(buyer, uuid)
  const ctx: FaultContext = {
    fs,
    progress,
    productId: product.id,
    random,
    lifecycle,
    note: (line) => notes.push(line),
    elapsed: () => `${((Date.now() - progress.startedAt) / 1000).toFixed(1)}s`,
    expectDlqResidue: (n) => {
      dlqResidue += n
    },
  }

  const sale = runSale(fs, buyers, product.id, plan, progress, random)
  const fault = (async () => {
    // Strike once orders are flowing (the first ones wait for the product's warm-up), not by the clock.
    await progress.acceptedAtLeast(Math.ceil(plan.stock / 10), 5_000)
    await sleep(scenario.startAfterMs ?? 0)
    try {
      await scenario.inject(ctx)
    } finally {
      fs.proxies.healAll()
      await fs.orchestrator.settled()
    }
  })()
  const [saleDone, faultDone] = await Promise.allSettled([sale, fault])
  // Payers, cancellers and late payers finish their (bounded) actions before the wait for quiet.
  await lifecycle?.done()
  await actors?.close()
  if (faultDone.status === 'rejected') notes.push(`the fault itself failed: ${String(faultDone.reason)}`)
  if (saleDone.status === 'rejected') throw saleDone.reason
  const orders = saleDone.value
  const saleOver = Date.now()

  const convergence = await waitForQuiet(fs, product.id, {
    timeoutMs: options.convergeTimeoutMs,
    dlqResidue,
    lifecycle: lifecycle !== undefined,
  })
  const row = await measure(fs, scenario.fault, product.id, orders, convergence, {
    guardRefusalsExpected: scenario.guardRefusalsExpected ?? false,
    lifecycle,
  })
  const { restarts, selfCrashes, failures } = fs.orchestrator
  if (restarts.length) notes.push(`restarted ${restarts.join(', ')}`)
  if (selfCrashes.length) notes.push(`exited by themselves: ${selfCrashes.join(', ')}`)
  if (failures.length) notes.push(...failures)
  const s = (from: number, to: number) => `${((to - from) / 1000).toFixed(1)}s`
  notes.push(
    `phases: stack ${reused ? 'reused' : s(began, stackUp)}, buyers ${s(stackUp, registered)}, sale ${s(registered, saleOver)}, quiet ${convergence.seconds.toFixed(1)}s`,
  )
  row.notes.unshift(...notes)
  return { row, output: fs.output() }
}
