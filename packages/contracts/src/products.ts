import { type Static, Type } from 'typebox'
import { CursorQuery, DisplayName, Id, page } from './common.ts'

export const Product = Type.Object({
  id: Id,
  name: Type.String(),
  price_cents: Type.Integer({ minimum: 0 }),
  /** Units available for sale now (MySQL stock minus units held by pending orders). */
  stock: Type.Integer({ minimum: 0 }),
  /** Most units one buyer may hold (pending + completed); null = no limit. */
  max_per_user: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
})
export type Product = Static<typeof Product>

export const CreateProductBody = Type.Object(
  {
    name: DisplayName(200),
    price_cents: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    stock: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    max_per_user: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])),
  },
  { additionalProperties: false },
)
export type CreateProductBody = Static<typeof CreateProductBody>

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
