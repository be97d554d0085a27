import { type AuditFinding } from './judge.ts'
export interface AuditOptions {
  /** An inventory-service instance (internal endpoints are never behind the gateway). */
  inventoryUrl: string
  serviceToken: string
  /** Bound on the number of products read (pages of 100). */
  maxProducts?: number
}
/** Every product's stock-state from inventory-service, judged against I1, I2 and (when idle) I4. */
export declare function auditStock({
  inventoryUrl,
  serviceToken,
  maxProducts,
}: AuditOptions): Promise<AuditFinding[]>
