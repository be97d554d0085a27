import { PAYMENT_SIGNATURE_HEADER } from '@flash/contracts'
import { signatureHeader } from './hmac-signature.ts'
import { PAYMENT_SUCCEEDED } from './local-provider.ts'

export interface LocalPayment {
  /** The provider's event id: send the same one again to redeliver the same event. */
  eventId: string
  orderUuid: string
  amountCents: number
}

/**
 * One webhook delivery of the local provider, exactly as it goes on the wire: the Stripe-shaped
 * `payment_intent.succeeded` body and its signature header over those very bytes. `npm run pay` and
 * the load tool (`npm run load -- flash-sale --pay`) both send this, so neither signs differently
 * from what LocalPaymentProvider verifies.
 */
export function localPaymentDelivery(
  secret: string,
  payment: LocalPayment,
  nowSeconds: number,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    id: payment.eventId,
    type: PAYMENT_SUCCEEDED,
    data: { object: { order_uuid: payment.orderUuid, amount_cents: payment.amountCents, currency: 'usd' } },
  })
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [PAYMENT_SIGNATURE_HEADER]: signatureHeader(secret, body, nowSeconds),
    },
  }
}
