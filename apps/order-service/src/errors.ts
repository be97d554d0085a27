import { ERROR_CODES, type ErrorCode } from '@flash/contracts'
import { ProblemError, sendProblem, titleFor } from '@flash/service-kit'
import type { FastifyReply } from 'fastify'

/**
 * Every problem order-service answers, in one place, so routes and the OpenAPI descriptions agree.
 * Codes and statuses stay in `@flash/contracts` (ERROR_CODES): they are part of the public API contract
 * that the typed api-client and the OpenAPI documents are built from. Building the problems is this
 * service's own business: nothing outside this file constructs one.
 * 503s carry Retry-After: the failure is ours (a dependency), the client should simply try again.
 */
export const RETRY_AFTER_SECONDS = 1

/**
 * An order refused for a business reason (4xx). Returned, not thrown: in a flash sale refusals are
 * most of the traffic, and an Error per answer (stack capture) costs more than the answer itself.
 */
export interface Refusal {
  refused:
    | 'out_of_stock'
    | 'per_user_limit_exceeded'
    | 'product_not_found'
    | 'sale_not_started'
    | 'sale_ended'
  detail: string
  /** Seconds until asking again makes sense (`sale_not_started`: to the opening, capped). */
  retryAfter?: number
}

export const outOfStock = (productId: number): Refusal => ({
  refused: 'out_of_stock',
  detail: `Product ${productId} is sold out`,
})

export const perUserLimit = (productId: number): Refusal => ({
  refused: 'per_user_limit_exceeded',
  detail: `You already hold the most units of product ${productId} allowed`,
})

export const productNotFound = (productId: number): Refusal => ({
  refused: 'product_not_found',
  detail: `Product ${productId} does not exist`,
})

export const saleNotStarted = (productId: number, retryAfter: number): Refusal => ({
  refused: 'sale_not_started',
  detail: `The sale of product ${productId} has not opened yet; retry after ${retryAfter} s`,
  retryAfter,
})

export const saleEnded = (productId: number): Refusal => ({
  refused: 'sale_ended',
  detail: `The sale of product ${productId} has ended`,
})

/** A refusal (or a replayed 4xx) as the problem+json the central handler would have sent. */
export function sendRefusal(
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  retryAfter?: number,
): FastifyReply {
  const headers = retryAfter === undefined ? undefined : { 'retry-after': String(retryAfter) }
  return sendProblem(reply, { title: titleFor(code), status: ERROR_CODES[code], detail, code }, headers)
}

/** A dependency failed: 503 + Retry-After, in the wording every service uses. */
export { unavailable } from '@flash/service-kit'

export const orderNotFound = () => new ProblemError('order_not_found', 'No such order')

/** A cancel of an order that is not unpaid. A pending one is about to be decided: ask again shortly. */
export const orderNotCancellable = (status: string) =>
  new ProblemError(
    'order_not_cancellable',
    status === 'pending'
      ? 'The order is still being finalized; retry after Retry-After to cancel it while it awaits payment'
      : `The order is ${status}: only an order awaiting payment can be cancelled`,
    status === 'pending' ? { retryAfter: RETRY_AFTER_SECONDS } : {},
  )

/** One answer for every refused webhook delivery: which check failed is not said. */
export const webhookRejected = () =>
  new ProblemError('webhook_rejected', 'The webhook delivery was not accepted')

export const paymentsDisabled = () =>
  new ProblemError('payments_disabled', 'Payments are not configured on this deployment', { retryAfter: 60 })

export const paymentNotFound = () => new ProblemError('payment_not_found', 'No such payment')

export const paymentNotRefundable = () =>
  new ProblemError(
    'payment_not_refundable',
    'The payment was applied to its order: only a payment recorded refund_due can be marked refunded',
  )

export const invalidCursor = () =>
  new ProblemError('validation_failed', 'cursor is not one this API returned', {
    errors: [{ path: 'querystring.cursor', message: 'is invalid' }],
  })

/**
 * The Idempotency-Key itself refuses the request (reused with another body, or still in flight): an
 * answer to pass on as it is, told apart from a failing dependency by its type.
 */
export class IdempotencyRefusal extends ProblemError {}

export const idempotencyKeyReused = () =>
  new IdempotencyRefusal(
    'idempotency_key_reused',
    'This Idempotency-Key was already used with a different request body',
  )

export const idempotencyInFlight = () =>
  new IdempotencyRefusal(
    'idempotency_request_in_flight',
    'A request with this Idempotency-Key is still in progress',
    {
      retryAfter: RETRY_AFTER_SECONDS,
    },
  )

/** Raised by our clients (inventory, SQS) when the dependency failed or timed out. */
export class DependencyError extends Error {
  readonly dependency: string
  constructor(dependency: string, message: string, cause?: unknown) {
    super(`${dependency}: ${message}`, cause === undefined ? undefined : { cause })
    this.name = 'DependencyError'
    this.dependency = dependency
  }
}
