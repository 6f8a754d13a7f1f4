import { onMounted, onUnmounted, ref } from 'vue'
import { bookingStatusValues, type components } from './api-types'

// The API's shapes come from its models (api-types.ts is generated: `make api-types`).
type Schemas = components['schemas']
export type Specialty = Schemas['Specialty']
export type Doctor = Schemas['Doctor']
export type Slot = Schemas['Slot']

export const BOOKING_STATUSES = bookingStatusValues
export type BookingStatus = Schemas['Booking']['status']

export function isBookingStatus(value: unknown): value is BookingStatus {
  return typeof value === 'string' && (BOOKING_STATUSES as readonly string[]).indexOf(value) !== -1
}

export type Booking = Schemas['Booking']

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
    specialty: (booking.doctor && booking.doctor.specialty) || undefined, // null: a doctor without one
    startsAt: booking.starts_at,
    endsAt: booking.ends_at,
    price: booking.price,
  }
}

export type DocumentKind = Schemas['LegalDocument']['kind']

/** A document in force, as this patient reads it. */
export type LegalDocument = Schemas['LegalDocument']

/** A signed copy (a signature record). */
export type SignedCopy = Schemas['Signature']
export type WithdrawalConsequences = Schemas['WithdrawalConsequences']

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
