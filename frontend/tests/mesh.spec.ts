import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { GuestMesh, type MeshHost } from '../src/room/mesh'
import { newRoomState } from '../src/room/roomState'
import type { ClientMessage, Role } from '../src/room/signaling'
import { FakePeerConnection } from './roomFakes'

/** A page in the open room (the doctor's unless said), a guest invited and not here yet. */
function doctorsMesh(me: Role = 'doctor') {
  const sent: ClientMessage[] = []
  const state = newRoomState(1000)
  state.phase = 'open'
  const host: MeshHost = {
    state,
    relay: false,
    role: (): Role => me,
    send: (message) => {
      sent.push(message)
      return true
    },
    acquireMedia: () => Promise.resolve(null),
    isOpen: () => true,
    removed: () => undefined,
  }
  return { mesh: new GuestMesh(host), sent }
}

describe('the mesh’s connection to a guest, made ahead', () => {
  beforeEach(() => {
    FakePeerConnection.instances = []
    vi.stubGlobal('RTCPeerConnection', FakePeerConnection)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('sends the offer set beforehand the moment the guest joins, candidates in it, none trickled before', async () => {
    const { mesh, sent } = doctorsMesh()
    mesh.prepare('guest')
    await flushPromises()
    expect(FakePeerConnection.instances).toHaveLength(1)
    const pc = FakePeerConnection.last
    expect(pc.config.iceCandidatePoolSize).toBe(1)
    expect(pc.signalingState).toBe('have-local-offer')
    pc.gather('candidate:1 1 udp 2122260223 192.168.1.2 50000 typ host')
    expect(sent).toEqual([]) // nobody to send it to yet: it will be in the offer
    expect(mesh.has('guest')).toBe(false) // made ahead, not in use: a join still calls the guest

    await mesh.present(['doctor', 'patient', 'guest'])
    expect(FakePeerConnection.instances).toHaveLength(1) // no new connection, no new offer
    expect(pc.offers).toHaveLength(1)
    expect(sent).toEqual([{ action: 'offer', sdp: pc.localDescription!.sdp, to: 'guest' }])
    expect(mesh.has('guest')).toBe(true)

    // Candidates found after the offer trickle as usual.
    pc.gather('candidate:2 1 udp 1686052607 203.0.113.7 50001 typ srflx')
    expect(sent[1]).toMatchObject({ action: 'candidate', to: 'guest' })
  })

  it('makes a new offer when the one made ahead has grown stale (its TURN credentials)', async () => {
    const { mesh, sent } = doctorsMesh()
    mesh.prepare('guest')
    await flushPromises()
    const ahead = FakePeerConnection.last
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 6 * 60000 })
    try {
      await mesh.peerHere('guest')
    } finally {
      vi.useRealTimers()
    }
    expect(ahead.closed).toBe(true)
    expect(FakePeerConnection.instances).toHaveLength(2)
    expect(sent).toEqual([{ action: 'offer', sdp: FakePeerConnection.last.localDescription!.sdp, to: 'guest' }])
  })

  it('is not made by the guest, who only answers', async () => {
    const { mesh } = doctorsMesh('guest')
    mesh.prepare('doctor')
    mesh.prepare('patient')
    expect(FakePeerConnection.instances).toHaveLength(0)
  })
})
