import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import WaitingQueue from '../src/components/WaitingQueue.vue'
import { i18n } from '../src/i18n'
import { setUser } from '../src/session'
import { shortName } from '../src/waitingAlert'
import { isWaiting, lobbyFacts } from '../src/room/lobbyReport'
import { newRoomState } from '../src/room/roomState'
import { doctorPatient, jsonResponse, mountWithRouter, stubApi } from './helpers'

const NOW = new Date('2026-11-26T11:25:00Z') // 14:25 in Moscow

function row(overrides: Record<string, unknown> = {}) {
  return {
    room_id: 'r-1',
    booking_id: 'b-1',
    role: 'patient',
    full_name: 'Кузнецова Елена Сергеевна',
    patient_name: 'Кузнецова Елена Сергеевна',
    starts_at: '2026-11-26T14:30:00+03:00',
    since: '2026-11-26T14:21:40+03:00',
    camera: 'yes',
    microphone: 'yes',
    network_kbps: 2000,
    verdict: 'ok',
    room_status: 'lobby',
    ...overrides,
  }
}

/** window.Notification and AudioContext, recording what the page does with them. */
function recordAlerts(permission: NotificationPermission) {
  const shown: { title: string; body?: string; tag?: string }[] = []
  class FakeNotification {
    static permission = permission
    static requestPermission = vi.fn(() => Promise.resolve(permission))
    onclick: (() => void) | null = null
    constructor(title: string, options: NotificationOptions = {}) {
      shown.push({ title, body: options.body, tag: options.tag })
    }
    close() {}
  }
  let oscillators = 0
  class FakeAudioContext {
    state = 'running'
    currentTime = 0
    destination = {}
    createGain() {
      return { connect() {}, gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} } }
    }
    createOscillator() {
      oscillators += 1
      return { type: '', connect() {}, start() {}, stop() {}, frequency: { setValueAtTime() {} } }
    }
    resume() {
      return Promise.resolve()
    }
  }
  vi.stubGlobal('Notification', FakeNotification)
  vi.stubGlobal('AudioContext', FakeAudioContext)
  return { shown, oscillators: () => oscillators, FakeNotification }
}

describe('the waiting queue on «Мои консультации»', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('lists who waits since when with the device check in words, and alerts once per arrival', async () => {
    setUser({ ...doctorPatient, roles: ['doctor'] })
    const alerts = recordAlerts('granted')
    stubApi({
      'GET /api/doctor/consultations?date=2026-11-26': () => jsonResponse(200, []),
      'GET /api/doctor/waiting': () =>
        jsonResponse(200, [row(), row({ room_id: 'r-2', full_name: 'Орлов Пётр', camera: 'no', network_kbps: 1500, verdict: 'fail' })]),
    })
    const { wrapper } = await mountWithRouter(App, '/doctor/today')
    await flushPromises()
    const rows = wrapper.findAll('[data-test="waiting-patient"]')
    expect(rows).toHaveLength(2)
    expect(rows[0].find('[data-test="waiting-since"]').text()).toBe('В зале ожидания с 14:21')
    expect(rows[0].find('[data-test="waiting-checks"]').text()).toBe('Камера: есть, микрофон: есть, сеть: 2 Мбит/с')
    expect(rows[0].find('[data-test="waiting-verdict"]').text()).toBe('Готов к консультации')
    expect(rows[1].find('[data-test="waiting-checks"]').text()).toBe('Камера: нет, микрофон: есть, сеть: 1,5 Мбит/с')
    expect(rows[1].find('[data-test="waiting-verdict"]').text()).toBe('Не всё готово к консультации')
    expect(rows[0].find('[data-test="waiting-open"]').attributes('href')).toBe('/room/r-1')
    expect(wrapper.find('[data-test="waiting-live"]').attributes('aria-live')).toBe('polite')
    expect(wrapper.find('[data-test="waiting-alert"]').text()).toBe(
      'Пациент Кузнецова Е. в зале ожидания. Пациент Орлов П. в зале ожидания.',
    )
    expect(alerts.shown.map((shown) => shown.title)).toEqual([
      'Пациент Кузнецова Е. в зале ожидания.',
      'Пациент Орлов П. в зале ожидания.',
    ])
    expect(alerts.shown[0]).toMatchObject({ body: 'Консультация в 14:30 (МСК).', tag: 'r-1' })
    expect(alerts.oscillators()).toBe(2)
    expect(wrapper.find('[data-test="waiting-permission"]').text()).toContain('Уведомления включены')
    wrapper.unmount()
  })

  it('asks for notifications only on the doctor’s click, and says slow or unmeasured networks', async () => {
    setUser({ ...doctorPatient, roles: ['doctor'] })
    const alerts = recordAlerts('default')
    stubApi({
      'GET /api/doctor/consultations?date=2026-11-26': () => jsonResponse(200, []),
      'GET /api/doctor/waiting': () =>
        jsonResponse(200, [row({ network_kbps: 96, verdict: 'fail' }), row({ room_id: 'r-2', network_kbps: null, verdict: 'checking' })]),
    })
    const { wrapper } = await mountWithRouter(App, '/doctor/today')
    await flushPromises()
    const checks = wrapper.findAll('[data-test="waiting-checks"]').map((item) => item.text())
    expect(checks).toEqual([
      'Камера: есть, микрофон: есть, сеть: 96 кбит/с',
      'Камера: есть, микрофон: есть, сеть: не измерена',
    ])
    expect(alerts.shown).toEqual([]) // not allowed yet
    expect(alerts.FakeNotification.requestPermission).not.toHaveBeenCalled()
    await wrapper.find('[data-test="waiting-enable"]').trigger('click')
    await flushPromises()
    expect(alerts.FakeNotification.requestPermission).toHaveBeenCalledTimes(1)
    wrapper.unmount()
  })
})

describe('the waiting queue inside a room', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('shows the doctor taken into the room early only that room’s patient, with the check and the alert', async () => {
    const alerts = recordAlerts('granted')
    const answers = [[], [row(), row({ room_id: 'r-2', full_name: 'Орлов Пётр' })]]
    stubApi({ 'GET /api/doctor/waiting': () => jsonResponse(200, answers.shift() || []) })
    const wrapper = mount(WaitingQueue, {
      props: { active: true, roomId: 'r-1' },
      global: { plugins: [i18n], stubs: { RouterLink: true } },
    })
    await flushPromises()
    expect(wrapper.get('h2').text()).toBe('Кто ждёт начала')
    expect(wrapper.get('[data-test="waiting-empty"]').text()).toContain('Пациент ещё не открыл комнату консультации')
    wrapper.unmount()
    // The patient opens the link; the doctor's next look (here a page opened again) finds them.
    const live = mount(WaitingQueue, {
      props: { active: true, roomId: 'r-1' },
      global: { plugins: [i18n], stubs: { RouterLink: true } },
    })
    await flushPromises()
    const rows = live.findAll('[data-test="waiting-patient"]')
    expect(rows).toHaveLength(1)
    expect(rows[0].text()).toContain('Кузнецова Елена Сергеевна')
    expect(rows[0].find('[data-test="waiting-open"]').exists()).toBe(false)
    expect(live.get('[data-test="waiting-alert"]').text()).toBe('Пациент Кузнецова Е. в зале ожидания.')
    expect(alerts.shown.map((shown) => shown.title)).toEqual(['Пациент Кузнецова Е. в зале ожидания.'])
    live.unmount()
  })
})

describe('a guest in the waiting room', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('is labelled as the patient’s guest, in the row and in the alert', async () => {
    setUser({ ...doctorPatient, roles: ['doctor'] })
    const alerts = recordAlerts('granted')
    stubApi({
      'GET /api/doctor/consultations?date=2026-11-26': () => jsonResponse(200, []),
      'GET /api/doctor/waiting': () => jsonResponse(200, [row({ role: 'guest', full_name: 'Петров Иван Сергеевич' })]),
    })
    const { wrapper } = await mountWithRouter(App, '/doctor/today')
    await flushPromises()
    const item = wrapper.find('[data-test="waiting-patient"]')
    expect(item.text()).toContain('Петров Иван Сергеевич')
    expect(item.find('[data-test="waiting-guest"]').text()).toBe('гость пациента Кузнецова Елена Сергеевна')
    expect(wrapper.find('[data-test="waiting-alert"]').text()).toBe('Петров И., гость пациента Кузнецова Е., в зале ожидания.')
    expect(alerts.shown.map((shown) => shown.title)).toEqual(['Петров И., гость пациента Кузнецова Е., в зале ожидания.'])
    wrapper.unmount()
  })
})

describe('the queue’s polling', () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
  })

  it('asks every 5 s while the page is in view, not while it is hidden, and at once when it is back', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'], now: NOW })
    setUser({ ...doctorPatient, roles: ['doctor'] })
    recordAlerts('granted')
    const fetchMock = stubApi({
      'GET /api/doctor/consultations?date=2026-11-26': () => jsonResponse(200, []),
      'GET /api/doctor/waiting': () => jsonResponse(200, []),
    })
    const asked = () => fetchMock.mock.calls.filter(([url]) => url === '/api/doctor/waiting').length
    const { wrapper } = await mountWithRouter(App, '/doctor/today')
    await flushPromises()
    expect(asked()).toBe(1)
    expect(wrapper.find('[data-test="waiting-empty"]').exists()).toBe(true)
    vi.advanceTimersByTime(5000)
    await flushPromises()
    expect(asked()).toBe(2)
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
    vi.advanceTimersByTime(15000)
    await flushPromises()
    expect(asked()).toBe(2)
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
    await flushPromises()
    expect(asked()).toBe(3)
    wrapper.unmount()
  })
})

describe('the patient’s side', () => {
  it('reports while waiting for the doctor, with what the device check found', () => {
    const state = newRoomState(640)
    expect(isWaiting(state)).toBe(false) // nothing loaded yet
    state.info = { role: 'patient', room_id: 'r-1' } as typeof state.info
    state.phase = 'lobby'
    expect(isWaiting(state)).toBe(true)
    expect(lobbyFacts(state, null)).toEqual({ camera: 'checking', microphone: 'checking', network_kbps: null })
    state.media = 'failed'
    expect(lobbyFacts(state, 300)).toEqual({ camera: 'no', microphone: 'no', network_kbps: 300 })
    state.phase = 'open'
    state.peerPresent = true
    expect(isWaiting(state)).toBe(false) // in the call
    state.peerPresent = false
    expect(isWaiting(state)).toBe(true) // open, the doctor not there yet
    state.info = { role: 'guest', room_id: 'r-1' } as unknown as typeof state.info
    expect(isWaiting(state)).toBe(true) // the patient's guest waits too
    state.info = { role: 'doctor', room_id: 'r-1' } as typeof state.info
    expect(isWaiting(state)).toBe(false)
  })

  it('names the patient by surname and initial', () => {
    expect(shortName('Иванова Анна Сергеевна')).toBe('Иванова А.')
    expect(shortName('Иванова')).toBe('Иванова')
  })
})
