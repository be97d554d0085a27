import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/**
 * The Kysely view of the database. One interface per table; the SQL source of truth is the
 * migrations folder, and this file must follow it.
 */
type CreatedAt = ColumnType<Date, Date | undefined, never>
type UpdatedAt = ColumnType<Date, Date | undefined, Date>

export type Role = 'admin' | 'customer'

export interface UsersTable {
  id: Generated<number>
  name: string
  /** Stored lower-cased: uniqueness is case-insensitive whatever the collation. */
  email: string
  password_hash: string
  role: ColumnType<Role, Role | undefined, Role>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface RefreshTokensTable {
  id: Generated<number>
  /** Every rotation of one login shares a family; reuse of a rotated token kills the family. */
  family_id: string
  user_id: number
  /** SHA-256 of the opaque token, hex. The token itself is never stored. */
  token_hash: string
  expires_at: Date
  rotated_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  created_at: CreatedAt
}

export type RevocationKind = 'jti' | 'sid'

/** Revoked access tokens (`jti`) and login families (`sid`): the durable list every service reloads. */
export interface RevocationsTable {
  kind: RevocationKind
  token_id: string
  /** Every token the row covers has expired by then; rows past it are pruned. */
  expires_at: Date
  created_at: CreatedAt
}

export interface ProductsTable {
  id: Generated<number>
  name: string
  price_cents: number
  stock: number
  /** Every unit ever made available (initial stock + restocks): I2 says stock = supplied − Σ completed. */
  supplied: number
  max_per_user: number | null
  /** Seconds an order of this product waits for its payment; NULL = the deployment's, 0 = none. */
  payment_window_seconds: ColumnType<number | null, number | null | undefined, number | null>
  /** When orders open (UTC); null = on sale now. */
  sale_starts_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  /** When orders close (UTC); null = no end. */
  sale_ends_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type OrderStatus =
  | 'pending'
  | 'completed'
  | 'failed'
  | 'awaiting_payment'
  | 'paid'
  | 'expired'
  | 'cancelled'

export interface OrdersTable {
  id: Generated<number>
  order_uuid: string
  user_id: number
  product_id: number
  quantity: number
  total_price_cents: number
  status: ColumnType<OrderStatus, OrderStatus | undefined, OrderStatus>
  failed_reason: ColumnType<string | null, string | null | undefined, string | null>
  reservation_id: string
  request_id: ColumnType<string | null, string | null | undefined, string | null>
  /** The buyer's Idempotency-Key, unique per user: the durable guard against a second order. */
  idempotency_key: ColumnType<string | null, string | null | undefined, string | null>
  /** Fingerprint of the request body sent with that key (a reuse with another body is a 422). */
  idempotency_fp: ColumnType<string | null, string | null | undefined, string | null>
  /** awaiting_payment: the deadline of its payment, on MySQL's clock. */
  pay_by: ColumnType<Date | null, Date | null | undefined, Date | null>
  /** expired / cancelled: when inventory confirmed the units are back in Redis (NULL: still owed). */
  units_returned_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type PaymentOutcome = 'applied' | 'refund_due' | 'refunded'

/** Every provider event we accepted, once (unique provider + event_id). */
export interface PaymentsTable {
  id: Generated<number>
  provider: string
  event_id: string
  order_uuid: string
  amount_cents: number
  currency: string
  outcome: PaymentOutcome
  reason: ColumnType<string | null, string | null | undefined, string | null>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface Database {
  users: UsersTable
  refresh_tokens: RefreshTokensTable
  revocations: RevocationsTable
  products: ProductsTable
  orders: OrdersTable
  payments: PaymentsTable
}

export type User = Selectable<UsersTable>
export type NewUser = Insertable<UsersTable>
export type UserUpdate = Updateable<UsersTable>
export type RefreshToken = Selectable<RefreshTokensTable>
export type NewRefreshToken = Insertable<RefreshTokensTable>
export type Revocation = Selectable<RevocationsTable>
export type Product = Selectable<ProductsTable>
export type NewProduct = Insertable<ProductsTable>
export type OrderRow = Selectable<OrdersTable>
export type NewOrder = Insertable<OrdersTable>
export type PaymentRow = Selectable<PaymentsTable>
export type NewPayment = Insertable<PaymentsTable>
