// The engine's scenarios by name: `npm run load -- <name>` and the bench's runs call them from here.
import type { ScenarioName } from '../args.ts'
import { accepted } from './accepted.ts'
import { authStorm } from './auth-storm.ts'
import { flashSale } from './flash-sale.ts'
import { soldOut } from './sold-out.ts'
import { steadyShop } from './steady-shop.ts'
import type { Scenario } from './types.ts'

export const SCENARIO_RUNNERS: Record<ScenarioName, Scenario> = {
  'flash-sale': flashSale,
  'sold-out': soldOut,
  accepted,
  'steady-shop': steadyShop,
  'auth-storm': authStorm,
}
