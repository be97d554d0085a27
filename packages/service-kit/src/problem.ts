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

const titles = new Map<string, string>()
const typeUris = new Map<string, string>()

/** The problem title of a code ('out_of_stock' → 'Out of stock'), made once per code. */
export function titleFor(code: ErrorCode): string {
  let title = titles.get(code)
  if (title === undefined) {
    title = TITLES[code] ?? code.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())
    titles.set(code, title)
  }
  return title
}

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

/** The problem `type` of a code, made once per code: refusals are most answers in a flash sale. */
export function problemTypeUri(code: string): string {
  let uri = typeUris.get(code)
  if (uri === undefined) {
    uri = `https://flash-sale.dev/problems/${code.replace(/_/g, '-')}`
    typeUris.set(code, uri)
  }
  return uri
}
