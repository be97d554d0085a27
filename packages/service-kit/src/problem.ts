import { ERROR_CODES, type ErrorCode } from '@flash/contracts'

export interface ProblemOptions {
  /** Seconds; sent as `Retry-After` (429, 503). */
  retryAfter?: number
  errors?: { path: string; message: string }[]
  headers?: Record<string, string>
  cause?: unknown
}

const TITLES: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'Request validation failed',
  internal_error: 'Internal server error',
  dependency_unavailable: 'Service temporarily unavailable',
}

const titleOf = (code: string) =>
  TITLES[code as ErrorCode] ?? code.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())
const typeUriOf = (code: string) => `https://flash-sale.dev/problems/${code.replace(/_/g, '-')}`

// Every known code's title and type, made once at load: refusals are most answers in a flash sale.
const TITLE = new Map(Object.keys(ERROR_CODES).map((code) => [code, titleOf(code)]))
const TYPE_URI = new Map(Object.keys(ERROR_CODES).map((code) => [code, typeUriOf(code)]))

/** The problem title of a code ('out_of_stock' → 'Out of stock'). */
export const titleFor = (code: ErrorCode): string => TITLE.get(code) ?? titleOf(code)

/**
 * The one error type services throw for expected failures. The central error handler turns it into
 * application/problem+json with the status that belongs to its stable `code`.
 */
export class ProblemError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  readonly title: string
  readonly retryAfter: number | undefined
  readonly errors: { path: string; message: string }[] | undefined
  readonly headers: Record<string, string> | undefined

  constructor(code: ErrorCode, detail: string, options: ProblemOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ProblemError'
    this.code = code
    this.statusCode = ERROR_CODES[code]
    this.title = titleFor(code)
    this.retryAfter = options.retryAfter
    this.errors = options.errors
    this.headers = options.headers
  }
}

/**
 * A dependency (database, Redis, a peer service, the queue) failed or timed out: 503 with Retry-After,
 * the request is safe to retry. The one wording every service uses; the cause is logged, never sent.
 */
export const unavailable = (what: string, cause?: unknown, retryAfter = 1): ProblemError =>
  new ProblemError('dependency_unavailable', `${what} is unavailable; retry shortly`, { retryAfter, cause })

/** The problem `type` URI of a code. */
export const problemTypeUri = (code: string): string => TYPE_URI.get(code) ?? typeUriOf(code)
