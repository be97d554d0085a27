import { type Static, Type } from 'typebox'
import { CursorQuery, DisplayName, Id, page } from './common.ts'
import { SaleEndsAt, SaleStartsAt, SaleWindowFields } from './sale-window.ts'

export const Product = Type.Object({
  id: Id,
  name: Type.String(),
  price_cents: Type.Integer({ minimum: 0 }),
  /** Units available for sale now (MySQL stock minus units held by pending orders). */
  stock: Type.Integer({ minimum: 0 }),
  /** Most units one buyer may hold (pending + completed); null = no limit. */
  max_per_user: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  /** Seconds an order of this product waits for its payment; null = the deployment's window. */
  payment_window_seconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  ...SaleWindowFields,
})
export type Product = Static<typeof Product>

const MaxPerUser = Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])

/** The most a product's payment window may be: the deployment's own limit (PAYMENT_WINDOW_SECONDS). */
export const MAX_PAYMENT_WINDOW_SECONDS = 21_600

/**
 * This product's payment window in seconds (0: its orders complete at commit, no payment step); null
 * = the deployment's (PAYMENT_WINDOW_SECONDS). Applies to orders the finalizer commits from then on.
 */
const PaymentWindowSeconds = Type.Union([
  Type.Integer({ minimum: 0, maximum: MAX_PAYMENT_WINDOW_SECONDS }),
  Type.Null(),
])

export const CreateProductBody = Type.Object(
  {
    name: DisplayName(200),
    price_cents: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    stock: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    max_per_user: Type.Optional(MaxPerUser),
    payment_window_seconds: Type.Optional(PaymentWindowSeconds),
    sale_starts_at: Type.Optional(SaleStartsAt),
    sale_ends_at: Type.Optional(SaleEndsAt),
  },
  { additionalProperties: false },
)
export type CreateProductBody = Static<typeof CreateProductBody>

/**
 * `PATCH /api/products/:id` (admin): the sale window, the per-user limit and the payment window. A field left out is left
 * as it is; `null` clears it (no start = on sale now, no end = open-ended, no limit). Units are added
 * with `POST /api/products/:id/restock`, before or during the sale.
 */
export const UpdateProductBody = Type.Object(
  {
    max_per_user: Type.Optional(MaxPerUser),
    payment_window_seconds: Type.Optional(PaymentWindowSeconds),
    sale_starts_at: Type.Optional(SaleStartsAt),
    sale_ends_at: Type.Optional(SaleEndsAt),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateProductBody = Static<typeof UpdateProductBody>

export const RestockBody = Type.Object(
  { quantity: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }) },
  { additionalProperties: false },
)
export type RestockBody = Static<typeof RestockBody>

export const ProductParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) })
export type ProductParams = Static<typeof ProductParams>

export const ProductListQuery = CursorQuery
export const ProductPage = page(Product)
export type ProductPage = Static<typeof ProductPage>
