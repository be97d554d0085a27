import type { Scenario } from '../lib/scenario.ts'
import { killScenarios } from './kills.ts'
import { mysqlScenarios } from './mysql.ts'
import { paymentScenarios } from './payments.ts'
import { queueScenarios } from './queue.ts'
import { redisPartialScenarios } from './redis-partial.ts'
import { redisScenarios } from './redis.ts'

/** Every row of the matrix, in the order the table prints them. */
export const SCENARIOS: readonly Scenario[] = [
  ...killScenarios,
  ...mysqlScenarios,
  ...redisScenarios,
  ...redisPartialScenarios,
  ...queueScenarios,
  ...paymentScenarios,
]
