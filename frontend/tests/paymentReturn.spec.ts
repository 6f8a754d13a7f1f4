import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { leaveSite } from '../src/navigation'
import { setUser } from '../src/session'
import { heldBooking, NOW, patient, plain } from './bookingFixtures'
import { jsonResponse, mountWithRouter, sentBodies, stubApi } from './helpers'

vi.mock('../src/navigation', () => ({ leaveSite: vi.fn() }))

const PATH = '/bookings/b-1/payment'

function awaiting(paymentStatus: 'pending' | 'canceled') {
  return heldBooking({ status: 'awaiting_payment', payment_id: 'p-1', payment_status: paymentStatus })
}

const paid = heldBooking({
  status: 'paid',
  hold_expires_at: null,
  payment_id: 'p-1',
  payment_status: 'succeeded',
  room_id: 'r-1',
  cancellation: { refund: 'full', deadline: '2026-11-26T14:30:00+03:00', deadline_hours: 24 },
})

/** Answers GET /api/bookings/b-1 with the given bodies in turn (the last one again and again). */
function bookingAnswers(...bodies: unknown[]) {
  let index = 0
  return () => {
    const body = bodies[Math.min(index, bodies.length - 1)]
    index += 1
    return jsonResponse(200, body)
  }
}

function bookingGets(fetchMock: ReturnType<typeof stubApi>): number {
  return fetchMock.mock.calls.filter(([url]) => url === '/api/bookings/b-1').length
}

describe('payment return page', () => {
  beforeEach(() => {
    vi.mocked(leaveSite).mockClear()
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'], now: NOW })
    setUser(patient)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('waits for the payment service, then says «Оплата прошла» with the time, the doctor and where the link went', async () => {
    const fetchMock = stubApi({ 'GET /api/bookings/b-1': bookingAnswers(awaiting('pending'), awaiting('pending'), paid) })
    const { wrapper } = await mountWithRouter(App, PATH)
    await flushPromises()

    expect(wrapper.find('[data-test="pending"]').text()).toContain('Ждём подтверждения от платёжного сервиса…')
    expect(wrapper.find('[data-test="paid"]').exists()).toBe(false)

    await vi.advanceTimersByTimeAsync(2000)
    expect(wrapper.find('[data-test="pending"]').exists()).toBe(true)
    await vi.advanceTimersByTimeAsync(2000)

    const done = wrapper.find('[data-test="paid"]')
    expect(done.find('h2').text()).toBe('Оплата прошла')
    expect(done.find('[data-test="link-sent"]').text()).toBe(
      'Ссылка для входа в видеоконсультацию отправлена на maria@example.ru.',
    )
    expect(document.activeElement).toBe(done.find('h2').element)
    const facts = plain(wrapper.find('main').text())
    expect(facts).toContain('пятница, 27 ноября, 14:30 (МСК)')
    expect(facts).toContain('Орлова Елена Дмитриевна (Кардиология)')
    expect(wrapper.find('[data-test="fact-status"]').text()).toBe('Оплачена')

    // Paid: no more questions to the server.
    expect(bookingGets(fetchMock)).toBe(3)
    await vi.advanceTimersByTimeAsync(10000)
    expect(bookingGets(fetchMock)).toBe(3)
  })

  it('says «Оплата не прошла» after a declined card and «Попробовать ещё раз» pays again', async () => {
    const fetchMock = stubApi({
      'GET /api/bookings/b-1': bookingAnswers(awaiting('canceled')),
      'POST /api/bookings/b-1/payment': () =>
        jsonResponse(200, { confirmation_url: 'http://127.0.0.1:9/checkout/p-2', payment_id: 'p-2' }),
    })
    const { wrapper } = await mountWithRouter(App, PATH)
    await flushPromises()

    const failed = wrapper.find('[data-test="failed"]')
    expect(failed.find('h2').text()).toBe('Оплата не прошла')
    expect(failed.text()).toContain('деньги не списаны')
    await vi.advanceTimersByTimeAsync(6000)
    expect(bookingGets(fetchMock)).toBe(1)

    const retry = failed.find('[data-test="retry-payment"]')
    expect(retry.text()).toBe('Попробовать ещё раз')
    await retry.trigger('click')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-1/payment')).toHaveLength(1)
    expect(leaveSite).toHaveBeenCalledWith('http://127.0.0.1:9/checkout/p-2')
  })

  it('stops asking after about a minute and offers to check again', async () => {
    const fetchMock = stubApi({ 'GET /api/bookings/b-1': bookingAnswers(awaiting('pending')) })
    const { wrapper } = await mountWithRouter(App, PATH)
    await flushPromises()
    await vi.advanceTimersByTimeAsync(61000)

    const calls = bookingGets(fetchMock)
    expect(calls).toBeGreaterThanOrEqual(30)
    expect(calls).toBeLessThanOrEqual(32)
    const pending = wrapper.find('[data-test="pending"]')
    expect(pending.text()).toContain('Платёжный сервис пока не подтвердил оплату.')
    expect(pending.text()).toContain('maria@example.ru')
    await vi.advanceTimersByTimeAsync(10000)
    expect(bookingGets(fetchMock)).toBe(calls)

    await pending.find('button').trigger('click')
    await flushPromises()
    expect(bookingGets(fetchMock)).toBe(calls + 1)
    expect(wrapper.find('[data-test="pending"]').text()).toContain('Ждём подтверждения')
  })

  it('explains an expired hold and leads back to the booking', async () => {
    stubApi({ 'GET /api/bookings/b-1': bookingAnswers(heldBooking({ status: 'expired', hold_expires_at: null, cancellation: null })) })
    const { wrapper } = await mountWithRouter(App, PATH)
    await flushPromises()
    const expired = wrapper.find('[data-test="expired"]')
    expect(expired.find('h2').text()).toBe('Время на оплату истекло')
    expect(expired.text()).toContain('Оплата не поступила вовремя')
    expect(expired.find('a').attributes('href')).toBe('/booking?step=specialty')
  })

  it('explains a refund (a payment that came too late)', async () => {
    stubApi({
      'GET /api/bookings/b-1': bookingAnswers(
        heldBooking({ status: 'refunded', hold_expires_at: null, payment_status: 'succeeded', refund_status: 'succeeded', cancellation: null }),
      ),
    })
    const { wrapper } = await mountWithRouter(App, PATH)
    await flushPromises()
    const refunded = wrapper.find('[data-test="refunded"]')
    expect(refunded.find('h2').text()).toBe('Деньги возвращены')
    expect(plain(refunded.text())).toContain('деньги — 3 500 ₽ — возвращены на карту')
    expect(refunded.text()).toContain('maria@example.ru')
  })
})
