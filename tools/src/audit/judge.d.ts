import type { StockState } from '@flash/contracts'
export interface AuditFinding {
  product_id: number
  invariant: 'I1' | 'I2' | 'I4'
  ok: boolean
  detail: string
}
/**
 * The invariants of DESIGN §4 that one product's stock-state can prove. I4 (Redis = MySQL, no
 * reservation left) only holds when nothing is in flight, so it is judged only then; a cold product
 * (no Redis state) trivially agrees — the next warm-up rebuilds it from MySQL.
 */
export declare function judgeStock(state: StockState): AuditFinding[]
