// What every order scenario sets up first, through the public API: the admin (who creates the
// products) and --buyers buyers (registered, or logged in again from --buyers-file).
import { type Admin, loginAdmin } from '../engine/admin.ts'
import { type Buyer, type BuyerStats, obtainBuyers } from '../engine/buyers.ts'
import type { ScenarioContext } from './types.ts'

export async function adminAndBuyers(
  ctx: ScenarioContext,
): Promise<{ admin: Admin; buyers: Buyer[]; stats: BuyerStats }> {
  const { options, client } = ctx
  const admin = await loginAdmin(client, options.adminEmail, options.adminPassword)
  const { buyers, stats } = await obtainBuyers({
    client,
    url: options.url,
    count: options.buyers,
    file: options.buyersFile,
    progress: ctx.progress,
    signal: ctx.signal,
  })
  return { admin, buyers, stats }
}
