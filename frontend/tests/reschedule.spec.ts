import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import RescheduleBooking from '../src/components/RescheduleBooking.vue'
import { i18n } from '../src/i18n'
import { setUser } from '../src/session'
import { heldBooking, NOW, patient, slot0930, slot1430, SLOTS_URL } from './bookingFixtures'
import { apiError, jsonResponse, sentBodies, stubApi } from './helpers'

// Paid, on Monday; the patient may move it until Sunday 10:00 (the server's deadline, 24 h before).
const paid = heldBooking({
  id: 'b-2',
  status: 'paid',
  starts_at: '2026-11-30T10:00:00+03:00',
  ends_at: '2026-11-30T10:30:00+03:00',
  hold_expires_at: null,
  payment_status: 'succeeded',
  room_id: 'r-2',
  cancellation: { refund: 'full', deadline: '2026-11-29T10:00:00+03:00', deadline_hours: 24 },
})
// Paid, today at 15:00: the deadline has passed.
const soon = heldBooking({
  ...paid,
  starts_at: '2026-11-26T15:00:00+03:00',
  ends_at: '2026-11-26T15:30:00+03:00',
  cancellation: { refund: 'none', deadline: '2026-11-25T15:00:00+03:00', deadline_hours: 24 },
})

function mountIt(booking: unknown, staff = false) {
  return mount(RescheduleBooking, { props: { booking: booking as never, staff }, global: { plugins: [i18n] } })
}

describe('«Перенести»', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
    setUser(patient)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('offers the doctor’s other times, says what will happen, and moves the booking', async () => {
    const moved = { ...paid, starts_at: slot0930.starts_at, ends_at: slot0930.ends_at }
    const api = stubApi({
      [SLOTS_URL]: () => jsonResponse(200, [slot0930, slot1430]),
      'POST /api/bookings/b-2/reschedule': () => jsonResponse(200, moved),
    })
    const wrapper = mountIt(paid)
    expect(wrapper.get('[data-test="reschedule-until"]').text()).toBe(
      'Перенести запись самостоятельно можно до воскресенья, 29 ноября, 10:00 (МСК).',
    )
    await wrapper.get('[data-test="reschedule-open"]').trigger('click')
    await flushPromises()
    const times = wrapper.findAll('[data-test="reschedule-time"]')
    expect(times.map((b) => b.text())).toEqual(['09:30', '14:30'])
    await times[0].trigger('click')
    expect(wrapper.get('[data-test="reschedule-what"]').text()).toBe(
      'Запись перенесётся на пятницу, 27 ноября, 09:30 (МСК); оплата сохранится; ссылка на консультацию останется прежней.',
    )
    await wrapper.get('[data-test="reschedule-confirm"]').trigger('click')
    await flushPromises()
    expect(sentBodies(api, 'POST /api/bookings/b-2/reschedule')).toEqual([{ slot_id: slot0930.id }])
    const [[updated, message]] = wrapper.emitted('moved') as [unknown, string][]
    expect(updated).toEqual(moved)
    expect(message).toContain('Запись перенесена на пятницу, 27 ноября, 09:30 (МСК)')
  })

  it('says the server’s refusal when the time was taken meanwhile, and lists the times again', async () => {
    let listed = 0
    stubApi({
      [SLOTS_URL]: () => {
        listed += 1
        return jsonResponse(200, listed === 1 ? [slot0930, slot1430] : [slot1430])
      },
      'POST /api/bookings/b-2/reschedule': () =>
        apiError(409, 'slot_taken', 'Это время только что занял другой пациент. Ваша запись осталась на прежнем времени.'),
    })
    const wrapper = mountIt(paid)
    await wrapper.get('[data-test="reschedule-open"]').trigger('click')
    await flushPromises()
    await wrapper.findAll('[data-test="reschedule-time"]')[0].trigger('click')
    await wrapper.get('[data-test="reschedule-confirm"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-test="reschedule-error"]').text()).toContain('Ваша запись осталась на прежнем времени')
    expect(wrapper.findAll('[data-test="reschedule-time"]').map((b) => b.text())).toEqual(['14:30'])
    expect(wrapper.emitted('moved')).toBeUndefined()
  })

  it('within 24 hours tells the patient the rule instead of the button; the registry may still move it', () => {
    stubApi({})
    const late = mountIt(soon)
    expect(late.find('[data-test="reschedule-open"]').exists()).toBe(false)
    expect(late.get('[data-test="reschedule-rule"]').text()).toContain('не позднее чем за 24 часа до начала')
    const registry = mountIt(soon, true)
    expect(registry.find('[data-test="reschedule-open"]').exists()).toBe(true)
    expect(registry.find('[data-test="reschedule-rule"]').exists()).toBe(false)
  })
})
