import { onMounted, onUnmounted, ref } from 'vue'

export interface Specialty {
  id: string
  name: string
  description?: string
}

export interface Doctor {
  id: string
  full_name: string
  bio?: string
  specialty: { id: string; name: string }
  /** Roubles. */
  price: number
  currency?: string
  duration_minutes: number
}

export interface Slot {
  id: string
  starts_at: string
  ends_at: string
}

export const BOOKING_STATUSES = [
  'held',
  'awaiting_payment',
  'paid',
  'in_progress',
  'completed',
  'expired',
  'cancelled',
  'refunded',
  'no_show_patient',
  'no_show_doctor',
] as const
export type BookingStatus = (typeof BOOKING_STATUSES)[number]

export function isBookingStatus(value: unknown): value is BookingStatus {
  return typeof value === 'string' && (BOOKING_STATUSES as readonly string[]).indexOf(value) !== -1
}

export interface Booking {
  id: string
  status: BookingStatus
  starts_at: string
  ends_at: string
  hold_expires_at?: string | null
  price: number
  currency?: string
  email: string
  patient?: { id: string; full_name: string }
  doctor?: { id: string; full_name: string; specialty?: string }
  payment_id?: string | null
  payment_status?: 'pending' | 'succeeded' | 'canceled' | null
  refund_status?: string | null
  room_id?: string | null
  cancellation?: { refund: 'full' | 'none' | null; deadline: string; deadline_hours: number } | null
  /** The booking's own address for documents by email (its patient only, while paid). */
  documents_address?: string | null
}

/** Not paid yet: the time is kept for the patient until `hold_expires_at`. */
export function isUnpaid(booking: Booking): boolean {
  return booking.status === 'held' || booking.status === 'awaiting_payment'
}

/** Paid and not over: the patient has a consultation to come. */
export function isPaid(booking: Booking): boolean {
  return booking.status === 'paid' || booking.status === 'in_progress' || booking.status === 'completed'
}

/**
 * A booking's doctor, time and price as BookingFacts takes them
 * (`v-bind="bookingFacts(booking)"`); the page adds the email and the status where it shows them.
 */
export function bookingFacts(booking: Booking) {
  return {
    doctor: booking.doctor ? booking.doctor.full_name : '',
    specialty: booking.doctor ? booking.doctor.specialty : undefined,
    startsAt: booking.starts_at,
    endsAt: booking.ends_at,
    price: booking.price,
  }
}

export type DocumentKind = 'contract' | 'consent'

/** A document in force, as this patient reads it. */
export interface LegalDocument {
  kind: DocumentKind
  version: string
  title: string
  html: string
  sha256: string
  signed?: boolean
}

/** A signed copy (a signature record). */
export interface SignedCopy {
  id: string
  kind: DocumentKind
  version: string
  title?: string
  sha256: string
  signed_at: string
  ip?: string | null
  user_agent?: string | null
  withdrawn_at?: string | null
  in_force?: boolean
  withdrawable?: boolean
  html?: string
}

/** The current time, ticking every `everyMs` while the component is mounted. */
export function useNow(everyMs = 1000) {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | null = null
  onMounted(() => {
    now.value = Date.now()
    timer = setInterval(() => {
      now.value = Date.now()
    }, everyMs)
  })
  onUnmounted(() => {
    if (timer !== null) clearInterval(timer)
  })
  return now
}
