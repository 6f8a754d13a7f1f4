import { computed, inject, nextTick, provide, ref, watch, type InjectionKey } from 'vue'
import { useRoute, useRouter, type LocationQueryRaw } from 'vue-router'
import { apiFetch } from '../../api'
import type { Booking, Doctor, LegalDocument, Slot, Specialty } from '../../booking'
import { addDays, dateInZone, parseInstant, todayInClinic } from '../../dates'
import { useLoader } from '../../loader'
import { activeRole } from '../../session'

/**
 * The booking wizard's state, shared by BookingView and its steps (one
 * component a step, in this folder). Every step lives in the address
 * (?step=…&specialty=…&doctor=…&day=…&slot=…, then &booking=…), so «Назад» in
 * the browser works and the patient can go and sign the documents and come back
 * to the same choice. What was loaded is kept by id: going back and forth does
 * not ask again.
 */
export type Step = 'intro' | 'specialty' | 'doctor' | 'time' | 'confirm' | 'documents' | 'summary' | 'payment'

export const DAYS_AHEAD = 14
export const STEP_KEYS = ['specialty', 'doctor', 'time', 'confirm', 'payment'] as const

/** The clinic's (Moscow) day of a slot. */
export function dayOf(item: Slot): string {
  const date = parseInstant(item.starts_at)
  return date ? dateInZone(date) : ''
}

const STEP_NUMBERS: Record<Step, number> = {
  intro: 0,
  specialty: 1,
  doctor: 2,
  time: 3,
  confirm: 4,
  documents: 4,
  summary: 5,
  payment: 5,
}

function createWizard() {
  const route = useRoute()
  const router = useRouter()

  function q(name: string): string {
    const value = route.query[name]
    return typeof value === 'string' ? value : ''
  }

  const step = computed<Step>(() => {
    const wanted = q('step')
    if (wanted === 'specialty') return 'specialty'
    if (wanted === 'doctor' && q('specialty')) return 'doctor'
    if (wanted === 'time' && q('doctor')) return 'time'
    if ((wanted === 'confirm' || wanted === 'documents') && q('doctor') && q('slot')) return wanted
    if ((wanted === 'summary' || wanted === 'payment') && q('booking')) return wanted
    return 'intro'
  })
  const stepNumber = computed(() => STEP_NUMBERS[step.value])

  const specialties = ref<Specialty[] | null>(null)
  const doctorsBySpecialty = ref<Record<string, Doctor[]>>({})
  const doctorsById = ref<Record<string, Doctor>>({})
  const slotsByDoctor = ref<Record<string, Slot[]>>({})
  const slotsById = ref<Record<string, Slot>>({})
  const bookings = ref<Record<string, Booking>>({})
  /** The documents the server says are required before booking and this patient has not signed (in force). */
  const unsignedDocuments = ref<LegalDocument[] | null>(null)
  /** Optional documents not signed yet (the clinic's news): offered unticked beside them, never required. */
  const optionalDocuments = ref<LegalDocument[]>([])
  /** «Подтвердить запись» led to the documents: once they are signed, the confirm step holds the time by itself. */
  const holdAfterSigning = ref(false)
  const { loading, error: loadError, load } = useLoader()

  const doctors = computed(() => doctorsBySpecialty.value[q('specialty')] || null)
  const doctor = computed(() => doctorsById.value[q('doctor')] || null)
  const slots = computed(() => slotsByDoctor.value[q('doctor')] || null)
  const slot = computed(() => slotsById.value[q('slot')] || null)
  const booking = computed(() => bookings.value[q('booking')] || null)
  const isPatient = computed(() => activeRole.value === 'patient')

  function rememberSlots(list: Slot[]) {
    const byId = { ...slotsById.value }
    list.forEach((item) => {
      byId[item.id] = item
    })
    slotsById.value = byId
  }

  function rememberDoctors(list: Doctor[]) {
    const byId = { ...doctorsById.value }
    list.forEach((item) => {
      byId[item.id] = item
    })
    doctorsById.value = byId
  }

  function rememberBooking(item: Booking) {
    bookings.value = { ...bookings.value, [item.id]: item }
  }

  /** A slot that turned out to be taken leaves the doctor's list. */
  function forgetSlot(doctorId: string, slotId: string) {
    const list = slotsByDoctor.value[doctorId]
    if (list) slotsByDoctor.value = { ...slotsByDoctor.value, [doctorId]: list.filter((item) => item.id !== slotId) }
  }

  async function ensureDoctor(id: string) {
    if (doctorsById.value[id]) return
    rememberDoctors([await apiFetch<Doctor>(`/doctors/${encodeURIComponent(id)}`)])
  }

  async function loadSlots(id: string) {
    const today = todayInClinic()
    const list = await apiFetch<Slot[]>(`/doctors/${encodeURIComponent(id)}/slots?from=${today}&to=${addDays(today, DAYS_AHEAD - 1)}`)
    slotsByDoctor.value = { ...slotsByDoctor.value, [id]: list }
    rememberSlots(list)
  }

  async function loadUnsignedDocuments() {
    const documents = await apiFetch<LegalDocument[]>('/legal-documents')
    unsignedDocuments.value = documents.filter((doc) => doc.required_before_booking !== false && !doc.signed)
    optionalDocuments.value = documents.filter((doc) => doc.required_before_booking === false && !doc.signed)
  }

  /** What the current step needs and is not known yet. */
  async function fetchForStep() {
    if (step.value === 'specialty' && !specialties.value) {
      specialties.value = await apiFetch<Specialty[]>('/specialties')
    } else if (step.value === 'doctor' && !doctors.value) {
      const id = q('specialty')
      const list = await apiFetch<Doctor[]>(`/doctors?specialty=${encodeURIComponent(id)}`)
      doctorsBySpecialty.value = { ...doctorsBySpecialty.value, [id]: list }
      rememberDoctors(list)
    } else if (step.value === 'time') {
      await ensureDoctor(q('doctor'))
      if (!slots.value) await loadSlots(q('doctor'))
    } else if (step.value === 'confirm' || step.value === 'documents') {
      await ensureDoctor(q('doctor'))
      if (!slot.value) await loadSlots(q('doctor'))
      if (unsignedDocuments.value === null) await loadUnsignedDocuments()
    } else if ((step.value === 'summary' || step.value === 'payment') && !booking.value) {
      rememberBooking(await apiFetch<Booking>(`/bookings/${encodeURIComponent(q('booking'))}`))
    }
  }

  // Answers are kept by their id as they come (an overtaken one is still right for its id);
  // only the latest step's failure or «loading» is shown.
  async function loadForStep() {
    if (step.value === 'intro' || !isPatient.value) return
    await load(fetchForStep, () => undefined)
  }

  watch(
    () => [step.value, q('specialty'), q('doctor'), q('slot'), q('booking'), isPatient.value],
    () => void loadForStep(),
    { immediate: true },
  )

  /** The step's heading takes the focus, so that a screen reader starts reading there. */
  function focusStepTitle() {
    void nextTick(() => document.getElementById('step-title')?.focus())
  }

  watch(step, focusStepTitle)

  function go(next: Step, params: Record<string, string>, replace = false) {
    const query: LocationQueryRaw = { step: next }
    Object.keys(params).forEach((key) => {
      if (params[key]) query[key] = params[key]
    })
    const target = { name: 'booking', query }
    return replace ? router.replace(target) : router.push(target)
  }

  /** The same step with some of its address changed (a day, another time). */
  function adjust(params: Record<string, string>) {
    return router.replace({ name: 'booking', query: { ...route.query, ...params } })
  }

  return {
    q,
    step,
    stepNumber,
    specialties,
    unsignedDocuments,
    optionalDocuments,
    loadUnsignedDocuments,
    holdAfterSigning,
    loading,
    loadError,
    loadForStep,
    doctors,
    doctor,
    slots,
    slot,
    booking,
    isPatient,
    rememberSlots,
    rememberDoctors,
    rememberBooking,
    forgetSlot,
    focusStepTitle,
    go,
    adjust,
  }
}

export type BookingWizard = ReturnType<typeof createWizard>

const WIZARD: InjectionKey<BookingWizard> = Symbol('booking wizard')

/** BookingView: the wizard, for it and its steps. */
export function provideBookingWizard(): BookingWizard {
  const wizard = createWizard()
  provide(WIZARD, wizard)
  return wizard
}

/** A step: the wizard of the page it is on. */
export function useBookingWizard(): BookingWizard {
  const wizard = inject(WIZARD)
  if (!wizard) throw new Error('a booking step outside BookingView')
  return wizard
}
