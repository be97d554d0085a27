import type { ProductPage, StockState } from '@flash/contracts'
import { request } from 'undici'
import { type AuditFinding, judgeStock } from './judge.ts'

export interface AuditOptions {
  /** An inventory-service instance (internal endpoints are never behind the gateway). */
  inventoryUrl: string
  serviceToken: string
  /** Bound on the number of products read (pages of 100). */
  maxProducts?: number
  /** Each product's state as read (e.g. to report the reconciler's repairs). */
  onState?: (state: StockState) => void
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await request(url, { headers })
  const body = await res.body.text()
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${body.slice(0, 200)}`)
  return JSON.parse(body) as T
}

/** Every product's stock-state from inventory-service, judged against I1, I2 and (when idle) I4. */
export async function auditStock({
  inventoryUrl,
  serviceToken,
  maxProducts = 100_000,
  onState,
}: AuditOptions): Promise<AuditFinding[]> {
  const base = inventoryUrl.replace(/\/$/, '')
  const findings: AuditFinding[] = []
  let cursor: string | null = null
  let seen = 0
  do {
    const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100'
    const page: ProductPage = await getJson<ProductPage>(`${base}/api/products${query}`)
    for (const product of page.data) {
      const state = await getJson<StockState>(`${base}/internal/products/${product.id}/stock-state`, {
        authorization: `Bearer ${serviceToken}`,
      })
      onState?.(state)
      findings.push(...judgeStock(state))
    }
    seen += page.data.length
    cursor = page.next_cursor
  } while (cursor && seen < maxProducts)
  return findings
}
