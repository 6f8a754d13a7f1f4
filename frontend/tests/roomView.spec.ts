import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { overrideBrowserTimeZone } from '../src/dates'
import { setUser } from '../src/session'
import { doctorPatient, apiError, jsonResponse, mountWithRouter, stubApi, signedOutSession } from './helpers'
import { FakePeerConnection, FakeSender, FakeWebSocket, installCallFakes, removeCallFakes } from './roomFakes'

/** The device's clock: Thursday 26 November 2026, 09:00 in Moscow. */
const DEVICE_NOW = new Date('2026-11-26T06:00:00Z')

function roomInfo(overrides: Record<string, unknown> = {}) {
  return {
    room_id: 'r-1',
    status: 'lobby',
    role: 'patient',
    opens_at: '2026-11-26T09:10:00+03:00',
    starts_at: '2026-11-26T09:20:00+03:00',
    ends_at: '2026-11-26T09:50:00+03:00',
    closes_at: '2026-11-26T10:05:00+03:00',
    // The server's clock is 12 minutes 30 seconds ahead of this device's.
    server_time: '2026-11-26T09:12:30+03:00',
    doctor: { full_name: 'Орлова Елена Дмитриевна', specialty: 'Кардиология' },
    patient: null,
    booking_id: null,
    documents_address: 'docs+abcdefghijklmnopqrstuvwxyz234567@clinic.local',
    video: { max_bitrate: 640000, max_width: 1920, max_height: 1080, max_fps: 30 },
    ice_servers: [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u', credential: 'c' }],
    signaling_url: 'ws://127.0.0.1:9/?room=r-1&ticket=first',
    ...overrides,
  }
}

const PATIENT_URL = 'GET /api/rooms/r-1'
const DOCTOR_URL = 'GET /api/rooms/r-1'

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

/** Lets promises, the 10 ms media wait and Vue's updates settle. */
async function settle(ms = 0) {
  await flushPromises()
  if (ms) await vi.advanceTimersByTimeAsync(ms)
  await flushPromises()
}

function phase(wrapper: Wrapper) {
  return wrapper.find('[data-test="room"]').attributes('data-phase')
}

describe('the video room', () => {
  let getUserMedia: ReturnType<typeof installCallFakes>['getUserMedia']

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'], now: DEVICE_NOW })
    getUserMedia = installCallFakes().getUserMedia
  })

  afterEach(() => {
    vi.useRealTimers()
    removeCallFakes()
  })

  function patientApi(info: Record<string, unknown>, more: Record<string, (body: unknown) => Response> = {}) {
    return stubApi({
      'GET /api/session': signedOutSession,
      [PATIENT_URL]: () => jsonResponse(200, info),
      'POST /api/network-check': () => jsonResponse(200, { received_bytes: 65536 }),
      ...more,
    })
  }

  it('lobby: who, when (with the local time), a countdown by the server’s clock, the seed’s text, the checks', async () => {
    overrideBrowserTimeZone('Asia/Yekaterinburg')
    const fetchMock = patientApi(roomInfo())
    const { wrapper } = await mountWithRouter(App, '/room/r-1#token=secret-token')
    await settle()

    expect(phase(wrapper)).toBe('lobby')
    expect(wrapper.find('[data-test="room-doctor"]').text()).toBe('Орлова Елена Дмитриевна (Кардиология)')
    expect(wrapper.find('[data-test="room-when"]').text()).toBe('четверг, 26 ноября, 09:20 (МСК) (у вас 11:20)')
    // By the device's clock the start would be 20 minutes away; by the server's it is 7 min 30 s.
    expect(wrapper.find('[data-test="room-countdown"]').text()).toBe('7 мин 30 с')
    await vi.advanceTimersByTimeAsync(1000)
    expect(wrapper.find('[data-test="room-countdown"]').text()).toBe('7 мин 29 с')
    expect(wrapper.text()).toContain(
      'Таймер покажет время до начала консультации. В назначенное время выбранный вами специалист автоматически подключится к видеоконференции.',
    )
    // Documents by email go to this consultation's own address: the general one attaches nothing.
    expect(wrapper.find('[data-test="room-documents"]').text()).toContain(
      'перешлите копии на персональный адрес этой консультации: docs+abcdefghijklmnopqrstuvwxyz234567@clinic.local',
    )

    // The camera and microphone are asked for in the lobby, with the seed's quality as the ideal.
    expect(getUserMedia).toHaveBeenCalledTimes(1)
    const constraints = getUserMedia.mock.calls[0][0] as { video: MediaTrackConstraints; audio: MediaTrackConstraints }
    expect(constraints.video.height).toEqual({ ideal: 1080 })
    expect(constraints.audio.echoCancellation).toBe(true)
    expect(wrapper.find('[data-test="check-camera"]').text()).toContain('Камера работает: 1280×720.')
    expect(wrapper.find('[data-test="check-camera"] [data-verdict]').attributes('data-verdict')).toBe('ok')
    expect(wrapper.find('[data-test="check-network"]').text()).toContain('достаточно (нужно не меньше 128 кбит/с)')
    expect(wrapper.find('[data-test="check-browser"] [data-verdict]').exists()).toBe(true)

    // Then the signaling socket with the ticket from the room's answer, and "join".
    const socket = FakeWebSocket.last
    expect(socket.url).toBe('ws://127.0.0.1:9/?room=r-1&ticket=first')
    socket.open()
    expect(socket.actions()).toEqual(['join'])
    socket.receive({ type: 'state', status: 'lobby', role: 'patient', peer_present: false, server_time: '2026-11-26T09:12:31+03:00' })
    await settle()
    expect(wrapper.find('[data-test="room-presence"]').text()).toBe('Врач подключится в назначенное время.')
    socket.receive({ type: 'peer_joined', role: 'doctor', status: 'lobby' })
    await settle()
    expect(wrapper.find('[data-test="room-presence"]').text()).toBe('Врач уже в комнате.')
    // Nothing is offered before the opening.
    expect(FakePeerConnection.instances).toHaveLength(0)

    // The token went to GET /api/rooms only, in its header: never in an address (logs keep those),
    // not to the network check, not into the socket's address.
    const withToken = fetchMock.mock.calls.filter(([, init]) => JSON.stringify((init && init.headers) || {}).indexOf('secret-token') !== -1)
    const tokenCalls = withToken.map(([url, init]) => `${(init && init.method) || 'GET'} ${url}`)
    // …and to the doctor's waiting queue: the lobby's reports (room/lobbyReport.ts), in the same header.
    expect(tokenCalls.filter((call) => call !== 'PUT /api/rooms/r-1/waiting')).toEqual([PATIENT_URL])
    expect(tokenCalls).toContain('PUT /api/rooms/r-1/waiting')
    expect(withToken[0][1]!.headers).toMatchObject({ 'X-Room-Token': 'secret-token' })
    expect(fetchMock.mock.calls.filter(([url]) => String(url).indexOf('secret-token') !== -1)).toEqual([])
    expect(socket.url).not.toContain('secret-token')
  })

  it('before the waiting room opens: no socket yet, a look again at its opening', async () => {
    let calls = 0
    patientApi(roomInfo(), {
      [PATIENT_URL]: () => {
        calls += 1
        return jsonResponse(
          200,
          calls === 1
            ? roomInfo({ status: 'scheduled', server_time: '2026-11-26T09:09:50+03:00', ice_servers: [], signaling_url: null })
            : roomInfo({ server_time: '2026-11-26T09:10:01+03:00', signaling_url: 'ws://127.0.0.1:9/?room=r-1&ticket=second' }),
        )
      },
    })
    const { wrapper } = await mountWithRouter(App, '/room/r-1#token=secret-token')
    await settle()
    expect(phase(wrapper)).toBe('scheduled')
    expect(wrapper.find('[data-test="room-scheduled"]').text()).toContain('Комната ожидания откроется за 10 мин до начала')
    expect(wrapper.find('[data-test="room-countdown"]').text()).toBe('10 мин 10 с')
    // The camera waits for the person's click while the consultation is not near.
    expect(getUserMedia).not.toHaveBeenCalled()
    expect(wrapper.find('[data-test="camera-start"]').exists()).toBe(true)
    expect(FakeWebSocket.instances).toHaveLength(0)

    await settle(11000)
    expect(calls).toBe(2)
    expect(phase(wrapper)).toBe('lobby')
    expect(FakeWebSocket.last.url).toBe('ws://127.0.0.1:9/?room=r-1&ticket=second')
  })

  it('at the opening the call starts by itself: the patient answers the doctor’s offer', async () => {
    patientApi(roomInfo())
    const { wrapper } = await mountWithRouter(App, '/room/r-1#token=secret-token')
    await settle()
    const socket = FakeWebSocket.last
    socket.open()
    socket.receive({ type: 'state', status: 'lobby', role: 'patient', peer_present: true, server_time: '2026-11-26T09:19:59+03:00' })
    socket.receive({ type: 'room_open', server_time: '2026-11-26T09:20:00+03:00' })
    await settle()

    expect(phase(wrapper)).toBe('open')
    expect(wrapper.find('[data-test="call"]').exists()).toBe(true)
    // "join" again once it counts as attending.
    expect(socket.actions()).toEqual(['join', 'join'])
    expect(wrapper.find('[data-test="call-status"]').text()).toBe('Устанавливаем соединение…')

    // The connection was made ahead; the offer lands on it.
    expect(FakePeerConnection.instances).toHaveLength(1)
    const pc = FakePeerConnection.last
    expect(pc.config.iceServers).toEqual(roomInfo().ice_servers)
    expect(pc.config.iceTransportPolicy).toBeUndefined()
    socket.receive({ type: 'offer', from: 'doctor', sdp: 'v=0\r\no=- 777 2 IN IP4 127.0.0.1\r\n' })
    socket.receive({ type: 'candidate', from: 'doctor', candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host' } })
    await settle()
    expect(FakePeerConnection.instances).toHaveLength(1)
    expect(pc.remoteDescription && pc.remoteDescription.type).toBe('offer')
    expect(pc.addedCandidates).toHaveLength(1)
    const answer = socket.sent.filter((message) => message.action === 'answer')
    expect(answer).toHaveLength(1)
    // The camera and microphone go on the doctor's transceivers, the video capped for the encoder.
    expect(pc.transceivers.map((t) => [t.receiver.track.kind, t.direction, t.sender.track && t.sender.track.kind])).toEqual([
      ['audio', 'sendrecv', 'audio'],
      ['video', 'sendrecv', 'video'],
    ])
    expect(pc.transceivers[1].sender.params).toMatchObject({
      encodings: [{ maxBitrate: 640000, maxFramerate: 30, scaleResolutionDownBy: 1 }],
      degradationPreference: 'maintain-framerate',
    })
    expect(pc.transceivers[0].sender.params.encodings[0].maxBitrate).toBe(32000)

    pc.setIce('connected')
    await settle()
    expect(wrapper.find('[data-test="call-status"]').text()).toBe('Соединение установлено')

    // The chat goes through the socket; one's own message shows at once.
    await wrapper.find('[data-test="chat-input"]').setValue('Здравствуйте!')
    await wrapper.find('form.call-chat__form').trigger('submit')
    expect(socket.sent[socket.sent.length - 1]).toEqual({ action: 'chat', text: 'Здравствуйте!' })
    socket.receive({ type: 'chat', from: 'doctor', text: 'Добрый день.', at: '2026-11-26T09:21:00+03:00' })
    await settle()
    expect(
      wrapper.findAll('[data-test="chat-message"]').map((m) => [m.find('.call-chat__meta').text(), m.find('.call-chat__text').text()]),
    ).toEqual([
      ['Вы, 09:20', 'Здравствуйте!'],
      ['Врач, 09:21', 'Добрый день.'],
    ])

    // A dropped connection: the patient asks the doctor to restart ICE and says it is recovering.
    pc.setIce('failed')
    await settle()
    expect(socket.sent[socket.sent.length - 1]).toEqual({ action: 'restart', to: 'doctor' }) // addressed: a guest may be in the room too
    expect(wrapper.find('[data-test="call-status"]').text()).toBe('Восстанавливаем соединение…')
    // An ICE restart offer (same session) is answered on the same connection.
    socket.receive({ type: 'offer', from: 'doctor', sdp: 'v=0\r\no=- 777 3 IN IP4 127.0.0.1\r\n' })
    await settle()
    expect(FakePeerConnection.instances).toHaveLength(1)
    expect(socket.sent.filter((message) => message.action === 'answer')).toHaveLength(2)
    pc.setIce('connected')
    await settle()
    expect(wrapper.find('[data-test="call-status"]').text()).toBe('Соединение установлено')

    // The doctor reloaded: an offer of a new session gets a new connection.
    socket.receive({ type: 'offer', from: 'doctor', sdp: 'v=0\r\no=- 888 2 IN IP4 127.0.0.1\r\n' })
    await settle()
    expect(FakePeerConnection.instances).toHaveLength(2)
    expect(pc.closed).toBe(true)
  })

  it('the doctor offers when the patient is there, caps the video, and restarts ICE after 2 s disconnected', async () => {
    setUser({ ...doctorPatient, roles: ['doctor'] })
    stubApi({
      [DOCTOR_URL]: () =>
        jsonResponse(200, roomInfo({ role: 'doctor', status: 'open', patient: { full_name: 'Кузнецова Елена Сергеевна' }, booking_id: 'b-1' })),
    })
    const { wrapper } = await mountWithRouter(App, '/room/r-1?relay=1&bitrate=150000')
    await settle()
    expect(phase(wrapper)).toBe('open')
    expect(wrapper.find('[data-test="room-with"]').text()).toBe('Кузнецова Елена Сергеевна')
    expect(wrapper.find('[data-test="call-status"]').text()).toBe('Ожидаем подключения пациента…')

    // Made ahead: relay only (?relay=1), the offer set, nothing sent before the patient is there.
    const pc = FakePeerConnection.last
    expect(pc.config.iceTransportPolicy).toBe('relay')
    expect(pc.localDescription && pc.localDescription.type).toBe('offer')
    pc.gather('candidate:9 1 udp 1 127.0.0.1 6000 typ relay')
    const socket = FakeWebSocket.last
    socket.open()
    socket.receive({ type: 'state', status: 'open', role: 'doctor', peer_present: false, server_time: '2026-11-26T09:20:05+03:00' })
    await settle()
    expect(socket.actions()).toEqual(['join'])

    socket.receive({ type: 'peer_joined', role: 'patient', status: 'open' })
    await settle()
    // The offer goes first, with the candidates gathered so far in it (none trickled separately).
    expect(socket.actions()).toEqual(['join', 'offer'])
    pc.gather('candidate:10 1 udp 1 127.0.0.1 6002 typ relay')
    expect(socket.actions()).toEqual(['join', 'offer', 'candidate'])
    // ?bitrate=150000 lowers the cap: 360 lines from the 720 of the camera, resolution held too.
    expect(pc.transceivers[1].sender.params).toMatchObject({
      encodings: [{ maxBitrate: 150000, maxFramerate: 30, scaleResolutionDownBy: 2 }],
      degradationPreference: 'maintain-framerate-and-resolution',
    })
    expect(wrapper.find('[data-test="call-status"]').text()).toBe('Устанавливаем соединение…')
    // The same arrival told again ("state" after the patient's second "join"): no second offer.
    socket.receive({ type: 'state', status: 'open', role: 'doctor', peer_present: true, server_time: '2026-11-26T09:20:06+03:00' })
    await settle()
    expect(socket.actions().filter((a) => a === 'offer')).toHaveLength(1)

    socket.receive({ type: 'answer', from: 'patient', sdp: 'v=0\r\no=- 5 2 IN IP4 127.0.0.1\r\n' })
    await settle()
    expect(pc.remoteDescription && pc.remoteDescription.type).toBe('answer')
    pc.setIce('connected')
    await settle()
    expect(wrapper.find('[data-test="call-status"]').text()).toBe('Соединение установлено')

    pc.setIce('disconnected')
    await settle(1000)
    expect(socket.actions().filter((a) => a === 'offer')).toHaveLength(1)
    await settle(1500)
    expect(socket.actions().filter((a) => a === 'offer')).toHaveLength(2)
    expect(pc.offers[pc.offers.length - 1]).toEqual({ iceRestart: true })
    expect(wrapper.find('[data-test="call-status"]').text()).toBe('Восстанавливаем соединение…')
    expect(FakePeerConnection.instances).toHaveLength(1)

    // The patient reloaded the page: a fresh connection for it.
    socket.receive({ type: 'peer_left', role: 'patient' })
    socket.receive({ type: 'peer_joined', role: 'patient', status: 'open' })
    await settle()
    expect(FakePeerConnection.instances).toHaveLength(2)
    expect(pc.closed).toBe(true)
    expect(FakePeerConnection.last.offers).toEqual([{}])
  })

  it('an older browser that refuses the newer preference still gets the cap with "maintain-framerate"', async () => {
    FakeSender.refused = ['maintain-framerate-and-resolution']
    setUser({ ...doctorPatient, roles: ['doctor'] })
    stubApi({ [DOCTOR_URL]: () => jsonResponse(200, roomInfo({ role: 'doctor', status: 'open' })) })
    await mountWithRouter(App, '/room/r-1?bitrate=128000')
    await settle()
    const socket = FakeWebSocket.last
    socket.open()
    socket.receive({ type: 'state', status: 'open', role: 'doctor', peer_present: true, server_time: '2026-11-26T09:20:05+03:00' })
    await settle()
    expect(FakePeerConnection.last.transceivers[1].sender.params).toMatchObject({
      encodings: [{ maxBitrate: 128000, scaleResolutionDownBy: 2 }],
      degradationPreference: 'maintain-framerate',
    })
  })

  it('reconnects a dropped socket with a fresh ticket from the server', async () => {
    let calls = 0
    patientApi(roomInfo(), {
      [PATIENT_URL]: () => {
        calls += 1
        return jsonResponse(200, roomInfo({ signaling_url: `ws://127.0.0.1:9/?room=r-1&ticket=t${calls}` }))
      },
    })
    await mountWithRouter(App, '/room/r-1#token=secret-token')
    await settle()
    FakeWebSocket.last.open()
    FakeWebSocket.last.drop()
    await settle(400)
    expect(calls).toBe(2)
    expect(FakeWebSocket.last.url).toBe('ws://127.0.0.1:9/?room=r-1&ticket=t2')
    FakeWebSocket.last.open()
    expect(FakeWebSocket.last.actions()).toEqual(['join'])
  })

  it('closed: the server’s «room_closed» (410) and the promise of the conclusion by email', async () => {
    patientApi(roomInfo(), {
      [PATIENT_URL]: () =>
        apiError(410, 'room_closed', 'Консультация завершена, и видеокомната закрыта. Заключение врача придёт на вашу почту.'),
    })
    const { wrapper } = await mountWithRouter(App, '/room/r-1#token=secret-token')
    await settle()
    expect(phase(wrapper)).toBe('closed')
    const closed = wrapper.find('[data-test="room-closed"]')
    expect(closed.find('h2').text()).toBe('Консультация завершена')
    // The server's words (they say the conclusion comes by email), not ours as well.
    expect(closed.find('p').text()).toBe('Консультация завершена, и видеокомната закрыта. Заключение врача придёт на вашу почту.')
    expect(closed.findAll('p')).toHaveLength(1)
    expect(getUserMedia).not.toHaveBeenCalled()
  })

  it('closed, for the doctor: no promise of an email, the way back to the day', async () => {
    setUser({ ...doctorPatient, roles: ['doctor'] })
    stubApi({ [DOCTOR_URL]: () => apiError(410, 'room_closed', 'Консультация завершена, и видеокомната закрыта.') })
    const { wrapper } = await mountWithRouter(App, '/room/r-1')
    await settle()
    const closed = wrapper.find('[data-test="room-closed"]')
    expect(closed.text()).toContain('Видеокомната закрыта.')
    expect(closed.text()).not.toContain('почту')
    expect(closed.find('a[href="/doctor/today"]').text()).toBe('К списку консультаций')
  })

  it('closes when the timer closes the room during the call', async () => {
    patientApi(roomInfo({ status: 'open' }))
    const { wrapper } = await mountWithRouter(App, '/room/r-1#token=secret-token')
    await settle()
    const socket = FakeWebSocket.last
    socket.open()
    socket.receive({ type: 'room_closed' })
    await settle()
    expect(phase(wrapper)).toBe('closed')
    expect(FakePeerConnection.last.closed).toBe(true)
    expect(wrapper.find('[data-test="room-closed"] h2').text()).toBe('Консультация завершена')
    expect(wrapper.find('[data-test="room-closed"] p').text()).toBe(
      'Заключение врача, подписанное электронной подписью специалиста, придёт на вашу электронную почту (файл PDF).',
    )
  })

  it('a link sent before the token moved (?token=) is rewritten to #token= before anything is asked', async () => {
    const fetchMock = patientApi(roomInfo())
    const { wrapper, router } = await mountWithRouter(App, '/room/r-1?token=secret-token&relay=1')
    await settle()
    expect(router.currentRoute.value.query).toEqual({ relay: '1' })
    expect(router.currentRoute.value.hash).toBe('#token=secret-token')
    expect(phase(wrapper)).toBe('lobby')
    expect(fetchMock.mock.calls.filter(([url]) => String(url).indexOf('secret-token') !== -1)).toEqual([])
  })

  it('a wrong link: «Ссылка не действует», what to do, and the way to sign in (no camera asked for)', async () => {
    patientApi(roomInfo(), { [PATIENT_URL]: () => apiError(404, 'not_found', 'Такой страницы или записи нет. Проверьте адрес.') })
    const { wrapper } = await mountWithRouter(App, '/room/r-1#token=secret-token')
    await settle()
    expect(phase(wrapper)).toBe('error')
    expect(wrapper.find('[data-test="room-error"] h2').text()).toBe('Ссылка не действует')
    expect(wrapper.find('[data-test="room-error"]').text()).toContain('у консультации есть кнопка «Войти в консультацию»')
    expect(wrapper.find('[data-test="room-sign-in"]').attributes('href')).toBe('/login?next=/bookings')
    expect(getUserMedia).not.toHaveBeenCalled()
  })

  it('a refused camera: ✕ with what to do, and the call still goes on without it', async () => {
    installCallFakes({ error: 'NotAllowedError' })
    patientApi(roomInfo())
    const { wrapper } = await mountWithRouter(App, '/room/r-1#token=secret-token')
    await settle()
    expect(wrapper.find('[data-test="check-camera"] [data-verdict]').attributes('data-verdict')).toBe('fail')
    expect(wrapper.find('[data-test="check-camera"]').text()).toContain('Нажмите на значок камеры в адресной строке')
    expect(wrapper.find('[data-test="check-microphone"] [data-verdict]').attributes('data-verdict')).toBe('fail')
    // The socket still opens: the doctor sees the patient is there.
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('hanging up leaves the call (and says so to the server); the patient may come back', async () => {
    patientApi(roomInfo({ status: 'open' }))
    const { wrapper } = await mountWithRouter(App, '/room/r-1#token=secret-token')
    await settle()
    const socket = FakeWebSocket.last
    socket.open()
    await wrapper.find('[data-test="hang-up"]').trigger('click')
    expect(socket.sent[socket.sent.length - 1]).toEqual({ action: 'leave' })
    expect(phase(wrapper)).toBe('left')
    expect(FakePeerConnection.last.closed).toBe(true)
    await wrapper.find('[data-test="room-rejoin"]').trigger('click')
    await settle()
    expect(phase(wrapper)).toBe('open')
    expect(FakeWebSocket.instances).toHaveLength(2)
  })
})

describe('«Мои консультации» enters the room by itself', () => {
  const consultation = (start: string, end: string, room: string) => ({
    id: `b-${room}`,
    status: 'paid',
    starts_at: `2026-11-26T${start}:00+03:00`,
    ends_at: `2026-11-26T${end}:00+03:00`,
    price: 2500,
    email: 'p@example.org',
    patient: { id: 'u-9', full_name: 'Кузнецова Елена Сергеевна' },
    room_id: room,
  })

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'], now: DEVICE_NOW })
    installCallFakes()
    setUser({ ...doctorPatient, roles: ['doctor'] })
  })

  afterEach(() => {
    vi.useRealTimers()
    removeCallFakes()
  })

  it('offers «Войти в комнату» and, when the waiting room opens, goes in (once)', async () => {
    let calls = 0
    stubApi({
      'GET /api/doctor/consultations?date=2026-11-26': () => {
        calls += 1
        return jsonResponse(200, [consultation('09:15', '09:45', 'r-9')])
      },
      'GET /api/rooms/r-9': () => jsonResponse(200, roomInfo({ room_id: 'r-9', role: 'doctor', status: 'scheduled', signaling_url: null })),
    })
    const { wrapper, router } = await mountWithRouter(App, '/doctor/today')
    await settle()
    expect(wrapper.find('[data-test="enter-room"]').attributes('href')).toBe('/room/r-9')
    expect(wrapper.find('[data-test="auto-enter-note"]').exists()).toBe(true)
    expect(router.currentRoute.value.path).toBe('/doctor/today')

    // 09:05 by the device: the waiting room of 09:15 is open; the next look (every 10 s) takes the doctor in.
    vi.setSystemTime(new Date('2026-11-26T06:05:00Z'))
    await settle(10000)
    expect(calls).toBe(2)
    expect(router.currentRoute.value.path).toBe('/room/r-9')

    // Back on the list, the doctor is not pulled into the same room again.
    await router.push('/doctor/today')
    await settle(10000)
    expect(router.currentRoute.value.path).toBe('/doctor/today')
  })
})
