/**
 * What order code needs from a payment provider, and nothing more: tell a genuine delivery from a forged
 * or replayed one, and read the payment out of it. A real provider (Stripe, Adyen) plugs in as another
 * implementation of this interface; the webhook route and the payments repository never change.
 */
export interface PaymentEvent {
  /** The provider's event id: the key that makes a redelivery count once. */
  eventId: string
  orderUuid: string
  amountCents: number
  currency: string
}

export interface PaymentProvider {
  /** Stored with every payment (the event id is unique per provider). */
  readonly name: string
  /**
   * Whether the delivery is genuine and fresh: its signature over the exact raw body, and its
   * timestamp within the tolerance. No reason is given: the webhook must not say which check failed.
   */
  verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, nowSeconds: number): boolean
  /** The payment a verified body carries; undefined for events that are not a succeeded payment. */
  parse(rawBody: Buffer): PaymentEvent | undefined
}
