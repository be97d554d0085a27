import { PAYMENT_SIGNATURE_HEADER, PaymentWebhookBody } from '@flash/contracts'
import { Value } from 'typebox/value'
import { verifySignatureHeader } from './hmac-signature.ts'
import type { PaymentEvent, PaymentProvider } from './provider.ts'

/** The event type that means "the buyer paid". */
export const PAYMENT_SUCCEEDED = 'payment_intent.succeeded'

/**
 * The provider `npm run pay` stands in for: Stripe-shaped events signed with PAYMENT_WEBHOOK_SECRET
 * (see hmac-signature.ts). A real provider's adapter implements the same interface.
 */
export class LocalPaymentProvider implements PaymentProvider {
  readonly name = 'local'
  readonly #secret: string
  readonly #toleranceSeconds: number

  constructor(secret: string, toleranceSeconds: number) {
    this.#secret = secret
    this.#toleranceSeconds = toleranceSeconds
  }

  verify(
    rawBody: Buffer,
    headers: Record<string, string | string[] | undefined>,
    nowSeconds: number,
  ): boolean {
    const header = headers[PAYMENT_SIGNATURE_HEADER]
    return verifySignatureHeader(
      this.#secret,
      typeof header === 'string' ? header : undefined,
      rawBody,
      nowSeconds,
      this.#toleranceSeconds,
    )
  }

  parse(rawBody: Buffer): PaymentEvent | undefined {
    let body: unknown
    try {
      body = JSON.parse(rawBody.toString('utf8'))
    } catch {
      return undefined
    }
    if (!Value.Check(PaymentWebhookBody, body) || body.type !== PAYMENT_SUCCEEDED) return undefined
    const payment = body.data.object
    return {
      eventId: body.id,
      orderUuid: payment.order_uuid,
      amountCents: payment.amount_cents,
      currency: payment.currency,
    }
  }
}
