import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { setUser } from '../src/session'
import { heldBooking, NOW, patient, plain } from './bookingFixtures'
import { apiError, doctorPatient, jsonResponse, mountWithRouter, sentBodies, stubApi, signedOutSession } from './helpers'
import { FakeWebSocket, installCallFakes, removeCallFakes } from './roomFakes'

/** #17: into the room from the cabinet (no link needed), the link sent again, and the consultation's end. */

const paid = (overrides: Record<string, unknown> = {}) =>
  heldBooking({
    id: 'b-2',
    status: 'paid',
    hold_expires_at: null,
    payment_status: 'succeeded',
    room_id: 'r-2',
    room_opens_at: '2026-11-26T14:20:00+03:00',
    room_closes_at: '2026-11-26T15:15:00+03:00',
    room_entry: 'open',
    cancellation: { refund: 'none', deadline: '2026-11-25T14:30:00+03:00', deadline_hours: 24 },
    ...overrides,
  })

function endedRoom(overrides: Record<string, unknown> = {}) {
  return {
    room_id: 'r-2',
    status: 'ended',
    role: 'patient',
    opens_at: '2026-11-26T08:50:00+03:00',
    starts_at: '2026-11-26T09:00:00+03:00',
    ends_at: '2026-11-26T09:30:00+03:00',
    closes_at: '2026-11-26T09:45:00+03:00',
    server_time: '2026-11-26T09:20:00+03:00',
    doctor: { full_name: 'Орлова Елена Дмитриевна', specialty: 'Кардиология' },
    patient: null,
    booking_id: 'b-2',
    documents_address: null,
    ice_servers: [],
    signaling_url: null,
    ended_at: '2026-11-26T09:18:00+03:00',
    conclusion_ready: false,
    can_reopen: false,
    ...overrides,
  }
}

describe('«Войти в консультацию» and «Отправить ссылку ещё раз»', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
    setUser(patient)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('«Мои записи»: the way in once the server says the room is open, the opening time before that', async () => {
    stubApi({
      'GET /api/bookings': () =>
        jsonResponse(200, [paid(), paid({ id: 'b-3', room_id: 'r-3', room_entry: 'later', room_opens_at: '2026-11-27T14:20:00+03:00' })]),
    })
    const { wrapper } = await mountWithRouter(App, '/bookings')
    await flushPromises()
    const links = wrapper.findAll('[data-test="room-enter"]')
    expect(links).toHaveLength(1)
    expect(links[0].text()).toBe('Войти в консультацию')
    expect(links[0].attributes('href')).toBe('/room/r-2') // no token: the session is enough
    expect(plain(wrapper.find('[data-test="room-opens"]').text())).toBe(
      'Войти в консультацию можно будет с пятницы, 27 ноября, 14:20 (МСК)',
    )
  })

  it('the booking page sends a new link, says the old ones stop working, and shows a refusal in the server’s words', async () => {
    let answer = () => jsonResponse(200, { sent_at: '2026-11-26T09:00:00+03:00', next_at: '2026-11-26T09:05:00+03:00' })
    const fetchMock = stubApi({
      'GET /api/bookings/b-2': () => jsonResponse(200, paid()),
      'GET /api/bookings/b-2/attachments': () => jsonResponse(200, []),
      'POST /api/bookings/b-2/room-link': () => answer(),
    })
    const { wrapper } = await mountWithRouter(App, '/bookings/b-2')
    await flushPromises()
    expect(wrapper.find('[data-test="room-enter"]').attributes('href')).toBe('/room/r-2')
    expect(wrapper.text()).toContain('Все прежние ссылки — из письма об оплате, из календаря и из прежних писем — перестанут работать.')
    await wrapper.find('[data-test="room-resend"]').trigger('click')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-2/room-link')).toHaveLength(1)
    expect(plain(wrapper.find('[data-test="room-resent"]').text())).toBe(
      'Новая ссылка отправлена на maria@example.ru. Прежние ссылки больше не работают. Отправить ссылку ещё раз можно будет после четверга, 26 ноября, 09:05 (МСК).',
    )
    const words = 'Ссылку недавно уже отправили. Отправить её ещё раз можно после 26 ноября 2026 г., 09:05 (МСК).'
    answer = () => apiError(429, 'too_many_requests', words)
    await wrapper.find('[data-test="room-resend"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-test="room-resent"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="room-resend-error"]').text()).toBe(words)
  })
})

describe('an ended consultation', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'], now: NOW })
  })
  afterEach(() => {
    vi.useRealTimers()
    removeCallFakes()
  })

  it('the patient’s link: over, where the conclusion is — and no camera, no socket', async () => {
    const { getUserMedia } = installCallFakes()
    stubApi({ 'GET /api/session': signedOutSession, 'GET /api/rooms/r-2': () => jsonResponse(200, endedRoom({ conclusion_ready: true })) })
    const { wrapper } = await mountWithRouter(App, '/room/r-2#token=secret-token')
    await flushPromises()
    await vi.advanceTimersByTimeAsync(5000)
    const ended = wrapper.find('[data-test="room-ended"]')
    expect(ended.find('h2').text()).toBe('Консультация завершена')
    expect(ended.find('[data-test="room-conclusion"]').text()).toContain('Заключение врача готово')
    expect(ended.find('[data-test="room-to-booking"]').attributes('href')).toBe('/bookings/b-2')
    expect(wrapper.find('[data-test="check-camera"]').exists()).toBe(false)
    expect(getUserMedia).not.toHaveBeenCalled()
    expect(FakeWebSocket.instances).toHaveLength(0)
  })

  it('the doctor who ended by mistake goes back in', async () => {
    installCallFakes()
    setUser({ ...doctorPatient, roles: ['doctor'] })
    let info = endedRoom({ role: 'doctor', can_reopen: true })
    const fetchMock = stubApi({
      'GET /api/rooms/r-2': () => jsonResponse(200, info),
      'POST /api/rooms/r-2/reopen': () => jsonResponse(200, { ended_at: null, ended_by: null }),
    })
    const { wrapper } = await mountWithRouter(App, '/room/r-2')
    await flushPromises()
    expect(wrapper.find('[data-test="room-ended"]').text()).toContain('Вы завершили консультацию')
    info = endedRoom({ role: 'doctor', status: 'lobby', signaling_url: 'ws://127.0.0.1:9/?room=r-2&ticket=t' })
    await wrapper.find('[data-test="room-reopen"]').trigger('click')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/rooms/r-2/reopen')).toHaveLength(1)
    expect(wrapper.find('[data-test="room"]').attributes('data-phase')).toBe('lobby')
  })

  it('the doctor’s «Завершить» asks in the page’s own dialog; ending it says «leave» after the end, then shows it', async () => {
    installCallFakes()
    setUser({ ...doctorPatient, roles: ['doctor'] })
    // jsdom has no modal dialogs: the browser's behaviour, as far as the page relies on it.
    HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
      this.setAttribute('open', '')
    }
    HTMLDialogElement.prototype.close = function (this: HTMLDialogElement) {
      this.removeAttribute('open')
    }
    let info: Record<string, unknown> = endedRoom({ role: 'doctor', status: 'open', signaling_url: 'ws://127.0.0.1:9/?room=r-2&ticket=t' })
    const order: string[] = []
    stubApi({
      'GET /api/rooms/r-2': () => jsonResponse(200, info),
      'POST /api/rooms/r-2/end': () => {
        order.push('end')
        info = endedRoom({ role: 'doctor', can_reopen: true })
        return jsonResponse(200, { ended_at: '2026-11-26T09:18:00+03:00', ended_by: 'doctor' })
      },
    })
    const { wrapper } = await mountWithRouter(App, '/room/r-2')
    await flushPromises()
    const socket = FakeWebSocket.last
    socket.open()
    await flushPromises()
    await wrapper.find('[data-test="hang-up"]').trigger('click')
    const dialog = wrapper.find('[data-test="room-end-dialog"]')
    expect(dialog.attributes('open')).toBeDefined()
    expect(dialog.find('h2').text()).toBe('Завершить консультацию?')
    expect(socket.sent.filter((m) => (m as { action?: string }).action === 'leave')).toHaveLength(0) // not yet
    await dialog.find('[data-test="room-end"]').trigger('click')
    await flushPromises()
    order.push(...socket.sent.filter((m) => (m as { action?: string }).action === 'leave').map(() => 'leave'))
    expect(order).toEqual(['end', 'leave'])
    expect(dialog.attributes('open')).toBeUndefined()
    expect(wrapper.find('[data-test="room-ended"]').text()).toContain('Вы завершили консультацию')
  })
})
