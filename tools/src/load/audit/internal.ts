// The project's own stock audit (`npm run audit`: I1, I2, I4 from inventory-service's internal
// stock-state) for the run's products, when the internal endpoint is reachable from here — it never
// is through a gateway or an ALB, so against a deployment this reports "not reachable" and moves on.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { StockState } from '@flash/contracts'
import { request } from 'undici'
import { judgeStock } from '../../audit/index.ts'
import { REPO_ROOT } from '../../stack/repo-root.ts'
import type { InternalAudit } from './types.ts'

export async function serviceToken(
  env: Record<string, string | undefined> = process.env,
): Promise<string | undefined> {
  if (env.SERVICE_TOKEN) return env.SERVICE_TOKEN
  try {
    return (await readFile(join(REPO_ROOT, 'tmp/dev-keys/service-token'), 'utf8')).trim()
  } catch {
    return undefined
  }
}

export async function stockState(
  inventoryUrl: string,
  token: string,
  productId: number,
): Promise<StockState> {
  const res = await request(`${inventoryUrl}/internal/products/${productId}/stock-state`, {
    headers: { authorization: `Bearer ${token}` },
    headersTimeout: 5000,
    bodyTimeout: 5000,
  })
  const text = await res.body.text()
  if (res.statusCode !== 200) throw new Error(`stock-state answered ${res.statusCode}: ${text.slice(0, 120)}`)
  return JSON.parse(text) as StockState
}

export async function internalAudit(
  inventoryUrl: string,
  productIds: readonly number[],
  /** The caller's token (LoadOptions.serviceToken, from SERVICE_TOKEN); else the local stack's file. */
  given?: string | undefined,
): Promise<InternalAudit> {
  const token = given ?? (await serviceToken())
  if (!token)
    return { reachable: false, detail: 'no SERVICE_TOKEN (nor tmp/dev-keys/service-token)', findings: [] }
  try {
    const findings = []
    for (const id of productIds) findings.push(...judgeStock(await stockState(inventoryUrl, token, id)))
    const failed = findings.filter((f) => !f.ok).length
    return {
      reachable: true,
      detail: `${inventoryUrl}: ${findings.length - failed} passed, ${failed} failed`,
      findings,
    }
  } catch (error) {
    return {
      reachable: false,
      detail: `${inventoryUrl} not usable: ${(error as Error).message}`,
      findings: [],
    }
  }
}
