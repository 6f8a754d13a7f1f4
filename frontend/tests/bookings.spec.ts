import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { leaveSite } from '../src/navigation'
import { setActiveRole, setUser } from '../src/session'
import { heldBooking, NOW, patient, plain } from './bookingFixtures'
import { doctorPatient, jsonResponse, mountWithRouter, sentBodies, stubApi } from './helpers'

vi.mock('../src/navigation', () => ({ leaveSite: vi.fn() }))

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

const held = heldBooking()
const paidEarly = heldBooking({
  id: 'b-2',
  status: 'paid',
  starts_at: '2026-11-30T10:00:00+03:00',
  ends_at: '2026-11-30T10:30:00+03:00',
  hold_expires_at: null,
  payment_status: 'succeeded',
  room_id: 'r-2',
  cancellation: { refund: 'full', deadline: '2026-11-29T10:00:00+03:00', deadline_hours: 24 },
})
const paidLate = heldBooking({
  id: 'b-3',
  status: 'paid',
  starts_at: '2026-11-26T15:00:00+03:00',
  ends_at: '2026-11-26T15:30:00+03:00',
  hold_expires_at: null,
  payment_status: 'succeeded',
  room_id: 'r-3',
  cancellation: { refund: 'none', deadline: '2026-11-25T15:00:00+03:00', deadline_hours: 24 },
})
// An expired hold cannot be cancelled: the server sends no cancellation for it.
const expired = heldBooking({
  id: 'b-4',
  status: 'expired',
  starts_at: '2026-11-20T10:00:00+03:00',
  hold_expires_at: null,
  cancellation: null,
})

function item(wrapper: Wrapper, id: string) {
  const found = wrapper.findAll('[data-test="booking"]').filter((li) => li.find(`a[href="/bookings/${id}"]`).exists())
  expect(found, `booking ${id}`).toHaveLength(1)
  return found[0]
}

describe('«Мои записи»', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
    setUser(patient)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('lists the coming bookings first, with Russian status labels, «Перейти к оплате» for unpaid ones', async () => {
    stubApi({ 'GET /api/bookings': () => jsonResponse(200, [expired, paidEarly, held, paidLate]) })
    const { wrapper } = await mountWithRouter(App, '/bookings')
    await flushPromises()

    expect(wrapper.find('#bookings-upcoming').text()).toBe('Предстоящие')
    const upcoming = wrapper.findAll('section[aria-labelledby="bookings-upcoming"] [data-test="booking"]')
    expect(upcoming.map((li) => plain(li.find('h3').text()))).toEqual([
      'четверг, 26 ноября, 15:00 (МСК)',
      'пятница, 27 ноября, 14:30 (МСК)',
      'понедельник, 30 ноября, 10:00 (МСК)',
    ])
    expect(upcoming.map((li) => li.find('[data-test="booking-status"]').text())).toEqual([
      'Оплачена',
      'Время закреплено, ожидает оплаты',
      'Оплачена',
    ])
    const past = wrapper.findAll('section[aria-labelledby="bookings-past"] [data-test="booking"]')
    expect(past.map((li) => li.find('[data-test="booking-status"]').text())).toEqual(['Время на оплату истекло'])
    expect(past[0].find('[data-test="cancel-open"]').exists()).toBe(false)

    const pay = item(wrapper, 'b-1').find('[data-test="booking-pay"]')
    expect(pay.text()).toBe('Перейти к оплате')
    expect(pay.attributes('href')).toBe('/bookings/b-1?pay=1')
    expect(item(wrapper, 'b-2').find('[data-test="booking-pay"]').exists()).toBe(false)
    expect(plain(item(wrapper, 'b-1').text())).toContain('Орлова Елена Дмитриевна (Кардиология) · 3 500 ₽')
  })

  it('shows the rule for an unpaid booking before asking, and cancels only on «Да, отменить запись»', async () => {
    const fetchMock = stubApi({
      'GET /api/bookings': () => jsonResponse(200, [held]),
      'POST /api/bookings/b-1/cancel': () => jsonResponse(200, { ...held, status: 'cancelled', hold_expires_at: null, cancellation: null }),
    })
    const { wrapper } = await mountWithRouter(App, '/bookings')
    await flushPromises()
    await item(wrapper, 'b-1').find('[data-test="cancel-open"]').trigger('click')

    const confirm = wrapper.find('[data-test="cancel-confirm"]')
    expect(confirm.text()).toContain('Отменить запись?')
    expect(plain(confirm.text())).toContain('Орлова Елена Дмитриевна — пятница, 27 ноября, 14:30 (МСК)')
    expect(confirm.find('[data-test="cancel-rule"]').text()).toBe(
      'Запись ещё не оплачена, поэтому ничего не списывается. Время сразу освободится для других пациентов.',
    )
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-1/cancel')).toHaveLength(0)

    const [yes] = confirm.findAll('button')
    expect(yes.text()).toBe('Да, отменить запись')
    await yes.trigger('click')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-1/cancel')).toHaveLength(1)
    expect(wrapper.find('[data-test="cancel-done"]').text()).toBe('Запись отменена. Время освобождено для других пациентов.')
    expect(wrapper.find('section[aria-labelledby="bookings-past"] [data-test="booking-status"]').text()).toBe('Отменена')
  })

  it('promises a full refund (with the deadline) for a paid booking more than 24 hours away', async () => {
    const fetchMock = stubApi({
      'GET /api/bookings': () => jsonResponse(200, [paidEarly]),
      'POST /api/bookings/b-2/cancel': () =>
        jsonResponse(200, { ...paidEarly, status: 'refunded', refund_status: 'succeeded', cancellation: null }),
    })
    const { wrapper } = await mountWithRouter(App, '/bookings')
    await flushPromises()
    await item(wrapper, 'b-2').find('[data-test="cancel-open"]').trigger('click')
    const rule = plain(wrapper.find('[data-test="cancel-rule"]').text())
    expect(rule).toContain('деньги — 3 500 ₽ — вернутся полностью')
    expect(rule).toContain('Срок отмены с полным возвратом — воскресенье, 29 ноября, 10:00 (МСК).')

    await wrapper.find('[data-test="cancel-confirm"] button').trigger('click')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-2/cancel')).toHaveLength(1)
    expect(plain(wrapper.find('[data-test="cancel-done"]').text())).toContain('Деньги — 3 500 ₽ — возвращаются на карту')
  })

  it('warns that nothing is refunded for a paid booking less than 24 hours away', async () => {
    stubApi({ 'GET /api/bookings': () => jsonResponse(200, [paidLate]) })
    const { wrapper } = await mountWithRouter(App, '/bookings')
    await flushPromises()
    await item(wrapper, 'b-3').find('[data-test="cancel-open"]').trigger('click')
    const rule = plain(wrapper.find('[data-test="cancel-rule"]').text())
    expect(rule).toContain('осталось меньше 24 часов, поэтому при отмене деньги (3 500 ₽) не вернутся')
    expect(rule).toContain('среда, 25 ноября, 15:00 (МСК)')
  })

  it('says what the server says: its refund and its hours, even where the start is days away', async () => {
    // A clinic with a 96-hour rule: the booking four days ahead is already past it.
    const strict = { ...paidEarly, cancellation: { refund: 'none', deadline: '2026-11-26T10:00:00+03:00', deadline_hours: 96 } }
    stubApi({ 'GET /api/bookings': () => jsonResponse(200, [strict]) })
    const { wrapper } = await mountWithRouter(App, '/bookings')
    await flushPromises()
    await item(wrapper, 'b-2').find('[data-test="cancel-open"]').trigger('click')
    const rule = plain(wrapper.find('[data-test="cancel-rule"]').text())
    expect(rule).toContain('осталось меньше 96 часов, поэтому при отмене деньги (3 500 ₽) не вернутся')
    expect(rule).toContain('четверг, 26 ноября, 10:00 (МСК)')
  })

  it('«Не отменять» closes the question without asking the server', async () => {
    const fetchMock = stubApi({ 'GET /api/bookings': () => jsonResponse(200, [held]) })
    const { wrapper } = await mountWithRouter(App, '/bookings')
    await flushPromises()
    await wrapper.find('[data-test="cancel-open"]').trigger('click')
    await wrapper.findAll('[data-test="cancel-confirm"] button')[1].trigger('click')
    expect(wrapper.find('[data-test="cancel-confirm"]').exists()).toBe(false)
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })

  it('says when there are no bookings yet', async () => {
    stubApi({ 'GET /api/bookings': () => jsonResponse(200, []) })
    const { wrapper } = await mountWithRouter(App, '/bookings')
    await flushPromises()
    expect(wrapper.find('[data-test="bookings-empty"]').text()).toBe('У вас пока нет записей к врачу.')
  })

  it('shows one booking on its page with «Оплатить», which goes straight to YooKassa', async () => {
    const fetchMock = stubApi({
      'GET /api/bookings/b-1': () => jsonResponse(200, held),
      'POST /api/bookings/b-1/payment': () => jsonResponse(200, { confirmation_url: 'https://pay.example/b-1', payment_id: 'p-1' }),
    })
    const { wrapper, router } = await mountWithRouter(App, '/bookings/b-1')
    await flushPromises()
    expect(wrapper.find('[data-test="fact-status"]').text()).toBe('Время закреплено, ожидает оплаты')
    expect(wrapper.find('[data-test="fact-email"]').text()).toBe('maria@example.ru')
    const pay = wrapper.find('[data-test="detail-pay"]')
    expect(pay.text()).toBe('Оплатить')
    await pay.trigger('click')
    for (let turn = 0; turn < 20 && vi.mocked(leaveSite).mock.calls.length === 0; turn += 1) await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-1/payment')).toHaveLength(1)
    expect(leaveSite).toHaveBeenCalledWith('https://pay.example/b-1')
    expect(router.currentRoute.value.fullPath).toBe('/bookings/b-1')
  })

  it('is in the menu for the patient role only', async () => {
    setUser(doctorPatient)
    stubApi({})
    const { wrapper } = await mountWithRouter(App, '/')
    expect(wrapper.find('nav a[href="/bookings"]').text()).toBe('Мои записи')
    expect(wrapper.find('nav a[href="/doctor/today"]').exists()).toBe(false)
    setActiveRole('doctor')
    await wrapper.vm.$nextTick()
    expect(wrapper.find('nav a[href="/bookings"]').exists()).toBe(false)
    expect(wrapper.find('nav a[href="/doctor/today"]').text()).toBe('Мои консультации')
  })
})

describe('«Мои консультации» (doctor)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('lists today’s consultations with time, patient and status, and another day on request', async () => {
    setUser({ ...doctorPatient, roles: ['doctor'] })
    const fetchMock = stubApi({
      'GET /api/doctor/consultations?date=2026-11-26': () =>
        jsonResponse(200, [{ ...paidLate, patient: { id: 'u-9', full_name: 'Кузнецова Елена Сергеевна' } }]),
      'GET /api/doctor/consultations?date=2026-11-27': () => jsonResponse(200, []),
    })
    const { wrapper, router } = await mountWithRouter(App, '/doctor/today')
    await flushPromises()
    expect((wrapper.find('#doctor-day-date').element as HTMLInputElement).value).toBe('2026-11-26')
    const row = wrapper.find('[data-test="consultation"]')
    expect(row.findAll('td')[0].text()).toBe('15:00–15:30')
    expect(row.find('th').text()).toBe('Кузнецова Елена Сергеевна')
    expect(row.findAll('td')[1].text()).toBe('Оплачена')

    await wrapper.find('#doctor-day-date').setValue('2026-11-27')
    await wrapper.find('#doctor-day-date').trigger('change')
    await flushPromises()
    expect(fetchMock.mock.calls.map(([url]) => url)).toContain('/api/doctor/consultations?date=2026-11-27')
    expect(router.currentRoute.value.query.date).toBe('2026-11-27')
    expect(wrapper.find('[data-test="day-empty"]').text()).toBe('На этот день оплаченных консультаций нет.')
  })
})
