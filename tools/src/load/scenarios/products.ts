// The products the order scenarios set up through the admin API, defined once for `npm run load` and
// `npm run bench`: a product with nothing to sell, and a sale's product whose units are on sale from
// the start, behind a scheduled opening (`sale_starts_at`) as a merchant runs a flash sale, or made
// available by a restock during the load (a design without schedules).
import type { Product } from '@flash/contracts'
import type { Admin } from '../engine/admin.ts'

const stamp = () => new Date().toISOString()

/** Stock 0: every order for it must be refused (409). */
export function soldOutProduct(admin: Admin, label: string): Promise<Product> {
  return admin.createProduct({ name: `${label} ${stamp()}`, price_cents: 1999, stock: 0, max_per_user: null })
}

/** What a sale's product may set besides its units: its own payment window (s; absent = the deployment's). */
export interface SaleTerms {
  paymentWindowS?: number | undefined
}

const termsOf = (terms: SaleTerms) =>
  terms.paymentWindowS === undefined ? {} : { payment_window_seconds: terms.paymentWindowS }

/** `units` on sale now. */
export function saleProduct(
  admin: Admin,
  label: string,
  units: number,
  terms: SaleTerms = {},
): Promise<Product> {
  return admin.createProduct({
    name: `${label} ${stamp()}`,
    price_cents: 4999,
    stock: units,
    max_per_user: null,
    ...termsOf(terms),
  })
}

export interface ScheduledSale {
  product: Product
  /** The opening on this process's monotonic clock (`performance.now()`), for the sell-out time. */
  opensAtMs: number
}

/**
 * `units` behind a sale scheduled to open `openAfterS` from now: every instance of the platform opens
 * it by itself at that instant (on Redis's clock), with the stock already warm. The opening is taken
 * from this machine's clock, so the sell-out time assumes it agrees with the platform's (the same
 * host for `npm run bench`; NTP elsewhere) — the sale itself opens on the platform's clock either way.
 */
export async function scheduledSaleProduct(
  admin: Admin,
  label: string,
  units: number,
  openAfterS: number,
  terms: SaleTerms = {},
): Promise<ScheduledSale> {
  const opensAtMs = performance.now() + openAfterS * 1000
  const product = await admin.createProduct({
    name: `${label} ${stamp()}`,
    price_cents: 4999,
    stock: units,
    max_per_user: null,
    sale_starts_at: new Date(Date.now() + openAfterS * 1000).toISOString(),
    ...termsOf(terms),
  })
  return { product, opensAtMs }
}

/** A flash sale's product and how it opens (--open-after, --open-by). */
export interface SaleOpening {
  product: Product
  /** Scheduled: the opening on this process's monotonic clock. */
  opensAtMs?: number | undefined
  /** By a restock: makes the units available (the product starts at stock 0). */
  open?: (() => Promise<void>) | undefined
  /** For the progress line. */
  how: string
}

/**
 * `units` on sale `openAfterS` into the load (0: now) — by a schedule, or, for a design without
 * schedules, by an admin restock of a product created at stock 0.
 */
export async function saleOpening(
  admin: Admin,
  label: string,
  units: number,
  opening: { openAfterS: number; by: 'schedule' | 'restock' },
  terms: SaleTerms = {},
): Promise<SaleOpening> {
  const after = opening.openAfterS
  if (after > 0 && opening.by === 'schedule') {
    const { product, opensAtMs } = await scheduledSaleProduct(admin, label, units, after, terms)
    return {
      product,
      opensAtMs,
      how: `sale scheduled at ${product.sale_starts_at} (${after} s into the load)`,
    }
  }
  if (after === 0) return { product: await saleProduct(admin, label, units, terms), how: 'on sale now' }
  const product = await saleProduct(admin, label, 0, terms)
  const open = async () => {
    await admin.restock(product.id, units)
  }
  return { product, open, how: `restocked ${after} s into the load` }
}
