// What other packages may use of the payments code (`@flash/order-service/payments`): the local
// provider's signed delivery, for tools that pay as a provider would (the load tool's --pay).
export { type LocalPayment, localPaymentDelivery } from './local-delivery.ts'
