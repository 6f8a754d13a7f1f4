import { registrationRequestStatusValues, type components } from './api-types'

export const REQUEST_STATUSES = registrationRequestStatusValues
export type RequestStatus = components['schemas']['RegistrationRequest']['status']

export function isRequestStatus(value: unknown): value is RequestStatus {
  return typeof value === 'string' && (REQUEST_STATUSES as readonly string[]).indexOf(value) !== -1
}

/** A request from the public «Заявка на медицинскую карту» form. */
export type RegistrationRequest = components['schemas']['RegistrationRequest']

/** A patient's medical card as the registry sees it (`credentials_sent`: only in answers that (re)issue them). */
export type PatientCard = components['schemas']['PatientCard']

// The queue hands a request to the new-card form without putting the person's
// data into the address bar (and so into the browser history).
const handedOver: Record<string, RegistrationRequest> = {}

export function rememberRequest(request: RegistrationRequest): void {
  handedOver[request.id] = request
}

export function recallRequest(id: string): RegistrationRequest | null {
  return Object.prototype.hasOwnProperty.call(handedOver, id) ? handedOver[id] : null
}
