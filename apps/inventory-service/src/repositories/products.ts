import type { Product } from '@flash/contracts'
import type { Database, Db, Product as ProductRow } from '@flash/db'
import { type Kysely, sql } from 'kysely'
import type { SaleWindowMs } from '../products/sale-window.ts'

/** What every product view needs besides live stock; what the in-process cache holds. */
export type ProductInfo = Pick<
  ProductRow,
  | 'id'
  | 'name'
  | 'price_cents'
  | 'max_per_user'
  | 'payment_window_seconds'
  | 'sale_starts_at'
  | 'sale_ends_at'
>

const INFO = [
  'id',
  'name',
  'price_cents',
  'max_per_user',
  'payment_window_seconds',
  'sale_starts_at',
  'sale_ends_at',
] as const

export interface NewProductInput {
  name: string
  priceCents: number
  stock: number
  maxPerUser: number | null
  /** null: the deployment's. */
  paymentWindowSeconds: number | null
  window: SaleWindowMs
}

const toDate = (ms: number | null) => (ms === null ? null : new Date(ms))

/** The window of a row, in ms (what the Redis state and the rules compare). */
export const windowOf = (info: Pick<ProductInfo, 'sale_starts_at' | 'sale_ends_at'>): SaleWindowMs => ({
  startsMs: info.sale_starts_at?.getTime() ?? null,
  endsMs: info.sale_ends_at?.getTime() ?? null,
})

/** A new product: `supplied` starts as the initial stock (I2: stock = supplied − Σ completed). */
export async function insertProduct(db: Db, input: NewProductInput): Promise<number> {
  const result = await db
    .insertInto('products')
    .values({
      name: input.name,
      price_cents: input.priceCents,
      stock: input.stock,
      supplied: input.stock,
      max_per_user: input.maxPerUser,
      payment_window_seconds: input.paymentWindowSeconds,
      sale_starts_at: toDate(input.window.startsMs),
      sale_ends_at: toDate(input.window.endsMs),
    })
    .executeTakeFirstOrThrow()
  return Number(result.insertId)
}

export interface ProductUpdate {
  /** undefined = unchanged. */
  maxPerUser?: number | null
  /** undefined = unchanged. */
  paymentWindowSeconds?: number | null
  window: SaleWindowMs
}

/**
 * Changes a product under its row lock: `decide` sees the row as it is (no concurrent PATCH or
 * restock can change it meanwhile) and answers the update, or a refusal that leaves the row untouched.
 * Undefined when the product does not exist.
 */
export async function updateProduct<R>(
  db: Kysely<Database>,
  id: number,
  decide: (current: ProductInfo) => { update: ProductUpdate } | { refusal: R },
): Promise<ProductInfo | { refusal: R } | undefined> {
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('products')
      .select(INFO)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    if (!current) return undefined
    const decision = decide(current)
    if ('refusal' in decision) return decision
    const { update } = decision
    await trx
      .updateTable('products')
      .set({
        ...(update.maxPerUser === undefined ? {} : { max_per_user: update.maxPerUser }),
        ...(update.paymentWindowSeconds === undefined
          ? {}
          : { payment_window_seconds: update.paymentWindowSeconds }),
        sale_starts_at: toDate(update.window.startsMs),
        sale_ends_at: toDate(update.window.endsMs),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute()
    return trx.selectFrom('products').select(INFO).where('id', '=', id).executeTakeFirstOrThrow()
  })
}

export async function findProductInfo(db: Db, id: number): Promise<ProductInfo | undefined> {
  return db.selectFrom('products').select(INFO).where('id', '=', id).executeTakeFirst()
}

/** One page in id order: the `limit` products whose id is above `afterId` (keyset pagination). */
export async function listProductInfo(db: Db, afterId: number, limit: number): Promise<ProductInfo[]> {
  return db.selectFrom('products').select(INFO).where('id', '>', afterId).orderBy('id').limit(limit).execute()
}

/**
 * Products whose sale opens within `aheadSeconds` from now on MySQL's clock (the pre-warm's list), at
 * most `limit`, soonest first. Through the sale_starts_at index: one short range.
 */
export async function listOpeningSoon(db: Db, aheadSeconds: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('products')
    .select('id')
    .where('sale_starts_at', '>', sql<Date>`current_timestamp(3)`)
    .where('sale_starts_at', '<=', sql<Date>`current_timestamp(3) + interval ${aheadSeconds} second`)
    .orderBy('sale_starts_at')
    .limit(limit)
    .execute()
  return rows.map((r) => Number(r.id))
}

/** Ids and supply totals above `afterId`, in order: the sweeper's rolling repair pass walks them. */
export async function listProductSupply(
  db: Db,
  afterId: number,
  limit: number,
): Promise<{ id: number; supplied: number }[]> {
  const rows = await db
    .selectFrom('products')
    .select(['id', 'supplied'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ id: Number(r.id), supplied: Number(r.supplied) }))
}

/** `products.stock` is a signed 32-bit column: a restock past it would fail in MySQL with a 500. */
export const STOCK_LIMIT = 2_147_483_647

export interface RestockedRow extends ProductInfo {
  stock: number
  /** The product's `supplied` right after this restock: the version Redis applies it by. */
  supplied: number
}

/**
 * Adds `quantity` to stock and supplied in one transaction and reads the row back inside it (the
 * row lock taken by the UPDATE makes the read return exactly this restock's version). Undefined
 * when the product does not exist; 'limit' (nothing changed) when stock would pass `maxStock`.
 */
export async function restockProduct(
  db: Kysely<Database>,
  id: number,
  quantity: number,
  maxStock = STOCK_LIMIT,
): Promise<RestockedRow | 'limit' | undefined> {
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('products')
      .set((eb) => ({
        stock: eb('stock', '+', quantity),
        supplied: eb('supplied', '+', quantity),
        updated_at: new Date(),
      }))
      .where('id', '=', id)
      // The bound in the statement itself: checked and applied under the row lock, never overflowing.
      .where('stock', '<=', maxStock - quantity)
      .executeTakeFirst()
    if (updated.numUpdatedRows === 0n) {
      const exists = await trx.selectFrom('products').select('id').where('id', '=', id).executeTakeFirst()
      return exists ? 'limit' : undefined
    }
    const row = await trx
      .selectFrom('products')
      .select([...INFO, 'stock', 'supplied'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    return { ...row, stock: Number(row.stock), supplied: Number(row.supplied) }
  })
}

/** Rows become API objects here and only here; `stock` is what can be sold now (never negative). */
export function toProduct(info: ProductInfo, available: number): Product {
  return {
    id: Number(info.id),
    name: info.name,
    price_cents: Number(info.price_cents),
    stock: Math.max(0, available),
    max_per_user: info.max_per_user === null ? null : Number(info.max_per_user),
    payment_window_seconds: info.payment_window_seconds === null ? null : Number(info.payment_window_seconds),
    sale_starts_at: info.sale_starts_at?.toISOString() ?? null,
    sale_ends_at: info.sale_ends_at?.toISOString() ?? null,
  }
}

/** MySQL's truth for quiet products, in one snapshot: what Redis availability must equal. */
export interface ReconcileBooks {
  stock: number
  supplied: number
  pendingQty: number
}

/**
 * Stock, supply and Σ pending of several products read in ONE consistent snapshot (REPEATABLE READ):
 * a finalizer commit between two separate reads would be counted in one and not the other.
 */
export async function readReconcileBooks(
  db: Kysely<Database>,
  productIds: number[],
): Promise<Map<number, ReconcileBooks>> {
  const out = new Map<number, ReconcileBooks>()
  if (productIds.length === 0) return out
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const products = await trx
        .selectFrom('products')
        .select(['id', 'stock', 'supplied'])
        .where('id', 'in', productIds)
        .execute()
      // Through the (product_id, status, user_id) index: one short range per product.
      const pending = await trx
        .selectFrom('orders')
        .select(['product_id', sql<string>`sum(quantity)`.as('units')])
        .where('product_id', 'in', productIds)
        .where('status', '=', 'pending')
        .groupBy('product_id')
        .execute()
      const pendingBy = new Map(pending.map((r) => [Number(r.product_id), Number(r.units)]))
      for (const p of products) {
        const id = Number(p.id)
        out.set(id, {
          stock: Number(p.stock),
          supplied: Number(p.supplied),
          pendingQty: pendingBy.get(id) ?? 0,
        })
      }
      return out
    })
}
