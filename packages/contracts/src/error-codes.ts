/**
 * Every stable problem `code` a client can see, with its HTTP status, in one list, so the API docs,
 * the typed client and the services agree. They stay here, not in each app, because they are part of
 * the public API contract: the typed api-client narrows on them and every service's OpenAPI document
 * lists them. Each app builds its own problems from them in its `src/errors.ts`. Codes are snake_case
 * as in the public API (`409 out_of_stock`); the owning service is the comment above each group.
 */
export const ERROR_CODES = {
  // any service (service-kit)
  validation_failed: 400,
  malformed_json: 400,
  bad_request: 400,
  unauthorized: 401,
  token_revoked: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  dependency_unavailable: 503,
  /** Shed by the instance's load check before any work was done: retry after Retry-After. */
  overloaded: 503,
  // auth-service
  email_taken: 409,
  invalid_credentials: 401,
  invalid_refresh_token: 401,
  // inventory-service
  product_not_found: 404,
  /** A restock that would take stock past what the stock column holds; nothing was changed. */
  stock_limit_exceeded: 422,
  /** A sale window that cannot be: an end not after the start, or a start scheduled in the past. */
  sale_window_invalid: 422,
  /** The sale has opened: its start can no longer move (units are still added by a restock). */
  sale_already_open: 409,
  // order-service
  out_of_stock: 409,
  per_user_limit_exceeded: 409,
  /** The product's sale opens later: come back after Retry-After (seconds to the opening, capped). */
  sale_not_started: 409,
  /** The product's sale has closed. */
  sale_ended: 409,
  order_not_found: 404,
  idempotency_key_reused: 422,
  idempotency_request_in_flight: 409,
  /** Cancel of an order that is not unpaid (paid, completed, failed, expired), or still pending. */
  order_not_cancellable: 409,
  /** A payment webhook we did not accept; which check failed is deliberately not said. */
  webhook_rejected: 400,
  /** Payments are not configured on this deployment (no webhook secret). */
  payments_disabled: 503,
  payment_not_found: 404,
  /** "Refunded" asked of a payment that was applied to its order: only a refund_due one can be. */
  payment_not_refundable: 409,
} as const
export type ErrorCode = keyof typeof ERROR_CODES
