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
  ...SaleWindowFields,
})
export type Product = Static<typeof Product>

const MaxPerUser = Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])

export const CreateProductBody = Type.Object(
  {
    name: DisplayName(200),
    price_cents: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    stock: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    max_per_user: Type.Optional(MaxPerUser),
    sale_starts_at: Type.Optional(SaleStartsAt),
    sale_ends_at: Type.Optional(SaleEndsAt),
  },
  { additionalProperties: false },
)
export type CreateProductBody = Static<typeof CreateProductBody>

/**
 * `PATCH /api/products/:id` (admin): the sale window and the per-user limit. A field left out is left
 * as it is; `null` clears it (no start = on sale now, no end = open-ended, no limit). Units are added
 * with `POST /api/products/:id/restock`, before or during the sale.
 */
export const UpdateProductBody = Type.Object(
  {
    max_per_user: Type.Optional(MaxPerUser),
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
