import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, shallowRef } from 'vue'
import { useLobbyReport } from '../src/room/lobbyReport'
import { newRoomState } from '../src/room/roomState'
import type { RoomSession } from '../src/room/session'

/** A patient's session about to enter the lobby, its device check not yet done. */
function lobbySession() {
  const state = newRoomState(1000)
  state.phase = 'loading'
  state.info = {
    room_id: 'r-1',
    status: 'lobby',
    role: 'patient',
    opens_at: '2026-11-26T14:20:00+03:00',
    starts_at: '2026-11-26T14:30:00+03:00',
    ends_at: '2026-11-26T15:00:00+03:00',
    closes_at: '2026-11-26T15:30:00+03:00',
    server_time: '2026-11-26T14:21:00+03:00',
    doctor: null,
  } as unknown as typeof state.info
  return shallowRef({ state } as unknown as RoomSession)
}

/** The room page's part that reports: useLobbyReport on the session, with a room token. */
function mountReport(session: ReturnType<typeof lobbySession>) {
  const Host = defineComponent({
    setup() {
      useLobbyReport(session, () => 'room-token')
      return () => h('div')
    },
  })
  return mount(Host)
}

describe('the lobby report (the doctor’s waiting queue)', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('sends one report at a time, so the newer facts arrive last', async () => {
    const puts: { body: Record<string, unknown>; answer: () => void }[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn((_url: string, init: RequestInit) => {
        if (init.method !== 'PUT') return Promise.resolve(new Response(null, { status: 204 }))
        return new Promise<Response>((resolve) => {
          puts.push({
            body: JSON.parse(String(init.body)),
            answer: () => resolve(new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } })),
          })
        })
      }),
    )
    const session = lobbySession()
    const wrapper = mountReport(session)
    // The page enters the lobby: «проверяется».
    session.value.state.phase = 'lobby'
    await flushPromises()
    expect(puts).toHaveLength(1)
    expect(puts[0].body.camera).toBe('checking')

    // The camera fails while that report is on its way: nothing more leaves yet…
    session.value.state.media = 'failed'
    await flushPromises()
    expect(puts).toHaveLength(1)

    // …and once it has arrived, the newer facts follow it.
    puts[0].answer()
    await flushPromises()
    expect(puts).toHaveLength(2)
    expect(puts[1].body).toMatchObject({ camera: 'no', microphone: 'no' })
    puts[1].answer()
    await flushPromises()
    expect(puts).toHaveLength(2)
    wrapper.unmount()
  })

  it('says the waiting is over when it ended while the first report was on its way', async () => {
    const calls: { method: string; answer: () => void }[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(
        (_url: string, init: RequestInit) =>
          new Promise<Response>((resolve) => {
            const answer = () => resolve(new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } }))
            calls.push({ method: String(init.method), answer })
            if (init.method === 'DELETE') answer()
          }),
      ),
    )
    const session = lobbySession()
    const wrapper = mountReport(session)
    session.value.state.phase = 'lobby'
    await flushPromises()
    expect(calls.map((c) => c.method)).toEqual(['PUT'])
    // The doctor came in before the server answered: the queue must not keep the patient for 45 s.
    session.value.state.phase = 'open'
    session.value.state.peerPresent = true
    await flushPromises()
    calls[0].answer()
    await flushPromises()
    expect(calls.map((c) => c.method)).toEqual(['PUT', 'DELETE'])
    wrapper.unmount()
  })
})
