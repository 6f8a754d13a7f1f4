import { doctorPatient } from './helpers'

/** A patient only (the shared fixture also holds the doctor role). */
export const patient = { ...doctorPatient, roles: ['patient'] }

/** Thursday 26 November 2026, 09:00 in Moscow. */
export const NOW = new Date('2026-11-26T06:00:00Z')

export const specialties = [
  { id: 'cardiology', name: 'Кардиология', description: 'Заболевания сердца и сосудов, артериальное давление.' },
  { id: 'therapy', name: 'Терапия', description: 'Первичная консультация, подбор обследований и лечения.' },
]

export const cardiologist = {
  id: 'd-1',
  full_name: 'Орлова Елена Дмитриевна',
  bio: 'Врач-кардиолог, кандидат медицинских наук, стаж 15 лет.',
  specialty: { id: 'cardiology', name: 'Кардиология' },
  price: 3500,
  currency: 'RUB',
  duration_minutes: 30,
}

export const slot0930 = { id: 'd-1_20261127T063000Z', starts_at: '2026-11-27T09:30:00+03:00', ends_at: '2026-11-27T10:00:00+03:00' }
export const slot1430 = { id: 'd-1_20261127T113000Z', starts_at: '2026-11-27T14:30:00+03:00', ends_at: '2026-11-27T15:00:00+03:00' }
export const slot1500 = { id: 'd-1_20261127T120000Z', starts_at: '2026-11-27T15:00:00+03:00', ends_at: '2026-11-27T15:30:00+03:00' }
export const slotMonday = { id: 'd-1_20261130T060000Z', starts_at: '2026-11-30T09:00:00+03:00', ends_at: '2026-11-30T09:30:00+03:00' }

/** The 14 days from «today» (26 November) in the clinic's calendar. */
export const SLOTS_URL = 'GET /api/doctors/d-1/slots?from=2026-11-26&to=2026-12-09'

export function heldBooking(overrides: Record<string, unknown> = {}) {
  return {
    id: 'b-1',
    status: 'held',
    starts_at: slot1430.starts_at,
    ends_at: slot1430.ends_at,
    hold_expires_at: '2026-11-26T09:15:00+03:00',
    price: 3500,
    currency: 'RUB',
    email: 'maria@example.ru',
    patient: { id: 'u-1', full_name: 'Иванова Мария Петровна' },
    doctor: { id: 'd-1', full_name: 'Орлова Елена Дмитриевна', specialty: 'Кардиология' },
    payment_id: null,
    payment_status: null,
    refund_status: null,
    room_id: null,
    // What cancelling would do, as the server says it: the deadline of a full refund and the rule's hours.
    cancellation: { refund: null, deadline: '2026-11-26T14:30:00+03:00', deadline_hours: 24 },
    ...overrides,
  }
}

export function legalDocuments(signed: { contract: boolean; consent: boolean; marketing?: boolean }) {
  // The clinic's news: optional, listed only when the test names it.
  const optional =
    signed.marketing === undefined
      ? []
      : [
          {
            kind: 'marketing',
            version: '1',
            title: 'Согласие на получение новостей и предложений клиники',
            html: '<h1>Новости</h1><p>Текст согласия на новости.</p>',
            sha256: 'c'.repeat(64),
            signed: signed.marketing,
            required_before_booking: false,
          },
        ]
  return [
    {
      kind: 'contract',
      version: '1',
      title: 'Договор на оказание платной медицинской услуги «телемедицина»',
      html: '<h1>Договор</h1><p>Текст договора для <b>Иванова Мария Петровна</b>.</p>',
      sha256: 'a'.repeat(64),
      signed: signed.contract,
    },
    {
      kind: 'consent',
      version: '1',
      title: 'Согласие на обработку персональных данных',
      html: '<h1>Согласие</h1><p>Текст согласия.</p>',
      sha256: 'b'.repeat(64),
      signed: signed.consent,
    },
    ...optional,
  ]
}

/** Text with no-break spaces as ordinary ones, to compare with what a person reads. */
export function plain(text: string): string {
  return text.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim()
}
