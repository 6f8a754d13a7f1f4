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

/** One line of the registry's search results, and a page of them with the next page's cursor. */
export type FoundPatient = components['schemas']['FoundPatient']
export type PatientPage = components['schemas']['PatientPage']

/**
 * A Russian phone number of 11 digits — +7 or 8 and ten more; spaces, dashes and brackets allowed — in E.164
 * (+79123456789), as the server stores it; null for anything else. The server checks the same
 * (chalicelib/contract/fields.py), this only says so before the form is sent.
 */
export function russianPhone(text: string): string | null {
  const value = text.trim()
  if (!/^\+?[0-9 ()-]+$/.test(value)) return null
  const digits = value.replace(/\D/g, '')
  if (digits.length !== 11 || (digits[0] !== '7' && digits[0] !== '8')) return null
  if (value[0] === '+' && digits[0] !== '7') return null
  return `+7${digits.slice(1)}`
}

/** +79123456789 → +7 912 345-67-89; anything else as it is. */
export function formatPhone(phone: string | null | undefined): string {
  if (!phone) return '—'
  const m = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(phone)
  return m ? `+7 ${m[1]} ${m[2]}-${m[3]}-${m[4]}` : phone
}

/** «Петрова Анна Викторовна» → surname «Петрова», the rest «Анна Викторовна». */
export function splitName(fullName: string): { surname: string; rest: string } {
  const parts = fullName.trim().split(/\s+/)
  return { surname: parts[0] || '', rest: parts.slice(1).join(' ') }
}
