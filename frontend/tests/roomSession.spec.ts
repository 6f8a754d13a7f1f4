import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RoomSession } from '../src/room/session'
import { CONNECT_TIMEOUT, DISCONNECTED_GRACE, watchdogStep, type CallFacts } from '../src/room/watchdog'
import { apiError, jsonResponse, stubApi } from './helpers'
import { FakePeerConnection, FakeTrack, FakeWebSocket, installCallFakes, removeCallFakes } from './roomFakes'

const NOW = new Date('2026-11-26T06:20:00Z')

function openRoom(role: 'doctor' | 'patient') {
  return {
    room_id: 'r-1',
    status: 'open',
    role,
    opens_at: '2026-11-26T09:10:00+03:00',
    starts_at: '2026-11-26T09:20:00+03:00',
    ends_at: '2026-11-26T09:50:00+03:00',
    closes_at: '2026-11-26T10:05:00+03:00',
    server_time: '2026-11-26T09:20:00+03:00',
    doctor: { full_name: 'Орлова Елена Дмитриевна' },
    ice_servers: [],
    signaling_url: 'ws://127.0.0.1:9/?room=r-1&ticket=first',
  }
}

describe('the room session ends in one way, once', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'], now: NOW })
    installCallFakes()
  })

  afterEach(() => {
    vi.useRealTimers()
    removeCallFakes()
  })

  async function inCall(role: 'doctor' | 'patient') {
    const fetchMock = stubApi({ 'GET /api/rooms/r-1': () => jsonResponse(200, openRoom(role)) })
    const session = new RoomSession({ roomId: 'r-1', token: 'secret', relay: false, bitrate: null })
    await session.load()
    await flushPromises()
    const socket = FakeWebSocket.last
    socket.open()
    await flushPromises()
    return { session, socket, fetchMock, pc: FakePeerConnection.last }
  }

  it('hanging up twice, then leaving the page: one "leave", everything stopped, no timer left', async () => {
    const { session, socket, pc } = await inCall('doctor')
    const tracks = session.state.localStream!.getTracks() as unknown as FakeTrack[]
    expect(tracks.length).toBeGreaterThan(0)
    expect(vi.getTimerCount()).toBeGreaterThan(0) // the watchdog, the socket's own timers

    session.hangUp()
    session.shutdown('left')
    session.destroy()

    expect(socket.actions().filter((action) => action === 'leave')).toHaveLength(1)
    expect(socket.readyState).toBe(3)
    expect(pc.closed).toBe(true)
    expect(session.pc).toBeNull()
    expect(tracks.every((track) => track.readyState === 'ended')).toBe(true)
    expect(session.state).toMatchObject({ phase: 'left', peerPresent: false, localStream: null, media: 'idle', signaling: 'stopped' })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('closed by the server: no "leave"; destroyed afterwards it keeps the phase and asks nothing again', async () => {
    const { session, socket, fetchMock } = await inCall('patient')
    socket.receive({ type: 'room_closed' })
    await flushPromises()
    expect(session.state).toMatchObject({ phase: 'closed', errorCode: 'room_closed' })

    session.destroy()
    session.destroy()
    expect(socket.actions()).not.toContain('leave')
    expect(session.state.phase).toBe('closed')
    expect(vi.getTimerCount()).toBe(0)
    const asked = fetchMock.mock.calls.length
    await session.load()
    expect(fetchMock.mock.calls.length).toBe(asked)
  })

  it('a camera that answers after the end is stopped at once, not kept', async () => {
    let grant: (stream: MediaStream) => void = () => undefined
    const pending = new Promise<MediaStream>((resolve) => {
      grant = resolve
    })
    Object.defineProperty(window.navigator, 'mediaDevices', {
      configurable: true,
      value: { getUserMedia: () => pending, enumerateDevices: async () => [] },
    })
    stubApi({ 'GET /api/rooms/r-1': () => apiError(404, 'not_found', 'Нет такой комнаты.') })
    const session = new RoomSession({ roomId: 'r-1', token: null, relay: false, bitrate: null })
    const asked = session.media.acquire()
    await session.load()
    expect(session.state).toMatchObject({ phase: 'error', errorCode: 'not_found', error: 'Нет такой комнаты.' })
    session.destroy()
    const track = new FakeTrack('video')
    grant({ getTracks: () => [track] } as unknown as MediaStream)
    expect(await asked).toBeNull()
    expect(track.readyState).toBe('ended')
    expect(session.state.localStream).toBeNull()
  })
})

describe('the watchdog decides from the facts of the moment', () => {
  const now = 1_000_000
  const base: CallFacts = {
    now,
    phase: 'open',
    role: 'doctor',
    signalingOpen: true,
    untilStart: -60000,
    lastJoin: now - 1000,
    openWithPeer: true,
    pc: { healthy: true, createdAt: now - 60000 },
    unhealthySince: 0,
    offerPendingSince: 0,
    bothPresentSince: now - 60000,
  }

  it('leaves a healthy call alone', () => {
    expect(watchdogStep(base)).toEqual({ join: false, call: null })
  })

  it('recovers a connection down for the grace time, not before', () => {
    const unhealthy = { ...base, pc: { healthy: false, createdAt: now - 60000 } }
    expect(watchdogStep({ ...unhealthy, unhealthySince: now - DISCONNECTED_GRACE + 1, bothPresentSince: now }).call).toBeNull()
    expect(watchdogStep({ ...unhealthy, unhealthySince: now - DISCONNECTED_GRACE }).call).toBe('recover')
    expect(watchdogStep({ ...unhealthy, role: 'patient', unhealthySince: now - DISCONNECTED_GRACE }).call).toBe('recover')
  })

  it('makes the doctor’s unanswered offer again after 4 s (the patient has none to repeat)', () => {
    expect(watchdogStep({ ...base, offerPendingSince: now - 3999 }).call).toBeNull()
    expect(watchdogStep({ ...base, offerPendingSince: now - 4000 }).call).toBe('restart')
    expect(watchdogStep({ ...base, role: 'patient', offerPendingSince: now - 4000 }).call).toBeNull()
  })

  it('starts over when both are present and nothing connects', () => {
    const stuck = { ...base, pc: { healthy: false, createdAt: now - CONNECT_TIMEOUT }, bothPresentSince: now - CONNECT_TIMEOUT }
    expect(watchdogStep(stuck).call).toBe('restart')
    expect(watchdogStep({ ...stuck, pc: null }).call).toBe('fresh')
    expect(watchdogStep({ ...stuck, role: 'patient' }).call).toBe('recover')
    // A connection younger than the timeout gets its time.
    expect(watchdogStep({ ...stuck, pc: { healthy: false, createdAt: now - 1000 } }).call).toBeNull()
  })

  it('does nothing to the call while the socket is down or the other one is away', () => {
    const down = { ...base, unhealthySince: now - 10000 }
    expect(watchdogStep({ ...down, signalingOpen: false }).call).toBeNull()
    expect(watchdogStep({ ...down, openWithPeer: false }).call).toBeNull()
  })

  it('says "join" again in a lobby 5 s past the start, at most every 10 s', () => {
    const lobby = { ...base, phase: 'lobby' as const, openWithPeer: false, lastJoin: now - 10001 }
    expect(watchdogStep({ ...lobby, untilStart: -5001 }).join).toBe(true)
    expect(watchdogStep({ ...lobby, untilStart: -5000 }).join).toBe(false)
    expect(watchdogStep({ ...lobby, untilStart: -60000, lastJoin: now - 10000 }).join).toBe(false)
    expect(watchdogStep({ ...lobby, untilStart: -60000, signalingOpen: false }).join).toBe(false)
    expect(watchdogStep({ ...base, untilStart: -60000, lastJoin: 0 }).join).toBe(false)
  })
})
