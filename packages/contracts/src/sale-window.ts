import { Type } from 'typebox'

/**
 * A product's sale window, as the API shows and takes it: RFC 3339 instants (any offset in; UTC out).
 * Orders are taken from `sale_starts_at` (null: on sale now) until `sale_ends_at` (null: no end).
 * Before the opening an order is refused `sale_not_started` with Retry-After; after the end, `sale_ended`.
 */
export const SaleStartsAt = Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
  description: 'When orders open (RFC 3339); null = on sale now',
})
export const SaleEndsAt = Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
  description: 'When orders close (RFC 3339, after sale_starts_at); null = no end',
})

export const SaleWindowFields = { sale_starts_at: SaleStartsAt, sale_ends_at: SaleEndsAt }

/**
 * The longest Retry-After a `sale_not_started` answer carries (seconds): a client asked to come back
 * much later would count down on a clock that drifts, so it comes back at least this often and
 * re-reads the time to the opening.
 */
export const SALE_RETRY_AFTER_MAX_SECONDS = 60
