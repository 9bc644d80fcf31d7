// Sending codes by e-mail and SMS, as the rest of the server sees it. This
// layer knows messages and destinations, not tokens: auth/ makes the code
// and decides when to send; delivery sends it within its timeout and says
// how that went.

export { createDelivery } from './delivery.ts';
export type { Delivery } from './delivery.ts';
export { createEmailSender } from './email.ts';
export { createSmsSender } from './sms.ts';
export { DELIVERY_CHANNELS, DELIVERY_FAILURES } from './message.ts';
export type { DeliveryChannel, DeliveryFailure, DeliveryMessage, Sender, SendResult } from './message.ts';
export { DELIVERY_DEFAULTS } from './options.ts';
export type { DeliveryLimits, DeliveryOptions, EmailOptions, SmsAuth, SmsOptions, SmtpTls } from './options.ts';
export { decide, LIMIT_WINDOW_MS } from './limiter.ts';
export type { DeliveryKey, DeliveryLimiter, LimitDecision, LimitName, SendHistory, TakeOptions, WindowStats } from './limiter.ts';
export { MemoryDeliveryLimiter } from './memory-limiter.ts';
export { StoreDeliveryLimiter, type SendLog } from './store-limiter.ts';
export { maskDestination, maskEmail, maskPhone } from './mask.ts';
export { normalizeDestination } from './destination.ts';
export type { DestinationResult } from './destination.ts';
export { checkEmailAddress } from './email-address.ts';
export { countryProblem, normalizePhone } from './phone.ts';
export { formatValidUntil } from './template.ts';
