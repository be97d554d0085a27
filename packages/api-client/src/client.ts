import type {
  CreateOrderBody,
  CreateProductBody,
  LoginBody,
  Order,
  OrderAccepted,
  OrderPage,
  Problem,
  Product,
  ProductPage,
  RegisterBody,
  RegisterResponse,
  RestockBody,
  UpdateProductBody,
  TokenPair,
  UserView,
} from '@flash/contracts'
import { Agent, type Dispatcher, request } from 'undici'

export type ApiResult<T> =
  | { ok: true; status: number; data: T; headers: Record<string, string> }
  | { ok: false; status: number; problem: Problem; headers: Record<string, string> }

export interface ApiClientOptions {
  /** Gateway (or a single service) base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string
  /** Shared keep-alive pool; pass one Agent to many clients so load tools reuse connections. */
  dispatcher?: Dispatcher
  timeoutMs?: number
}

interface Call {
  method: 'GET' | 'POST' | 'PATCH'
  path: string
  body?: unknown
  token?: string | undefined
  headers?: Record<string, string>
}

/**
 * Typed client of the public API, built on the contracts: the tests and the load scenarios speak
 * to the platform only through it, so a contract change breaks them at compile time.
 */
export class ApiClient {
  readonly #baseUrl: string
  readonly #dispatcher: Dispatcher
  readonly #timeoutMs: number

  constructor(options: ApiClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/$/, '')
    this.#dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 64 })
    this.#timeoutMs = options.timeoutMs ?? 10_000
  }

  async call<T>({ method, path, body, token, headers = {} }: Call): Promise<ApiResult<T>> {
    const res = await request(`${this.#baseUrl}${path}`, {
      method,
      dispatcher: this.#dispatcher,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const flat: Record<string, string> = {}
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = String(v)
    const text = await res.body.text()
    const parsed = text ? JSON.parse(text) : undefined
    if (res.statusCode >= 400)
      return { ok: false, status: res.statusCode, problem: parsed as Problem, headers: flat }
    return { ok: true, status: res.statusCode, data: parsed as T, headers: flat }
  }

  register(body: RegisterBody) {
    return this.call<RegisterResponse>({ method: 'POST', path: '/api/register', body })
  }
  login(body: LoginBody) {
    return this.call<TokenPair>({ method: 'POST', path: '/api/login', body })
  }
  refresh(refreshToken: string) {
    return this.call<TokenPair>({
      method: 'POST',
      path: '/api/refresh',
      body: { refresh_token: refreshToken },
    })
  }
  logout(token: string) {
    return this.call<undefined>({ method: 'POST', path: '/api/logout', token })
  }
  me(token: string) {
    return this.call<UserView>({ method: 'GET', path: '/api/me', token })
  }
  listProducts(query: { cursor?: string; limit?: number } = {}) {
    return this.call<ProductPage>({ method: 'GET', path: `/api/products${toQuery(query)}` })
  }
  getProduct(id: number) {
    return this.call<Product>({ method: 'GET', path: `/api/products/${id}` })
  }
  createProduct(token: string, body: CreateProductBody) {
    return this.call<Product>({ method: 'POST', path: '/api/products', body, token })
  }
  /** Schedules the sale (`sale_starts_at`, `sale_ends_at`), changes the per-user limit or the payment window (admin). */
  updateProduct(token: string, id: number, body: UpdateProductBody) {
    return this.call<Product>({ method: 'PATCH', path: `/api/products/${id}`, body, token })
  }
  restock(token: string, id: number, body: RestockBody) {
    return this.call<Product>({ method: 'POST', path: `/api/products/${id}/restock`, body, token })
  }
  createOrder(token: string, body: CreateOrderBody, idempotencyKey?: string) {
    return this.call<OrderAccepted>({
      method: 'POST',
      path: '/api/orders',
      body,
      token,
      ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
    })
  }
  getOrder(token: string, orderUuid: string) {
    return this.call<Order>({ method: 'GET', path: `/api/orders/${encodeURIComponent(orderUuid)}`, token })
  }
  listOrders(token: string, query: { cursor?: string; limit?: number } = {}) {
    return this.call<OrderPage>({ method: 'GET', path: `/api/orders${toQuery(query)}`, token })
  }

  async close(): Promise<void> {
    await this.#dispatcher.close()
  }
}

function toQuery(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v))
  const s = params.toString()
  return s ? `?${s}` : ''
}

/** Unwraps a result the caller expects to succeed; throws with the problem otherwise (tests, tools). */
export function expectOk<T>(result: ApiResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.status}: ${JSON.stringify(result.problem)}`)
  return result.data
}
