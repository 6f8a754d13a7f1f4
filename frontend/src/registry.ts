export const REQUEST_STATUSES = ['new', 'done', 'rejected'] as const
export type RequestStatus = (typeof REQUEST_STATUSES)[number]

export function isRequestStatus(value: unknown): value is RequestStatus {
  return typeof value === 'string' && (REQUEST_STATUSES as readonly string[]).indexOf(value) !== -1
}

/** A request from the public «Запись на приём» form. */
export interface RegistrationRequest {
  id: string
  full_name: string
  email: string
  phone: string
  comment?: string
  status: RequestStatus
  created_at: string
  handled_at?: string | null
}

/** A patient's medical card as the registry sees it. */
export interface PatientCard {
  id: string
  full_name: string
  email: string
  phone: string | null
  birth_date: string | null
  card_number: string | null
  roles?: string[]
  must_change_password?: boolean
  /** Only in answers that (re)issue credentials: whether the email went out. */
  credentials_sent?: boolean
}

// The queue hands a request to the new-card form without putting the person's
// data into the address bar (and so into the browser history).
const handedOver: Record<string, RegistrationRequest> = {}

export function rememberRequest(request: RegistrationRequest): void {
  handedOver[request.id] = request
}

export function recallRequest(id: string): RegistrationRequest | null {
  return Object.prototype.hasOwnProperty.call(handedOver, id) ? handedOver[id] : null
}
