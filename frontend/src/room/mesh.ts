import { ICE_SERVERS_LIFE } from './roomClient'
import type { RoomState } from './roomState'
import { addLocalTracks, applyLimits, attachToOffer } from './senders'
import type { ClientMessage, Role, ServerMessage } from './signaling'

/**
 * The guest's connections in a three-way call: a mesh, one peer connection per
 * pair. The doctor and the patient keep theirs (peerLink.ts, with the watchdog);
 * every pair with the guest is here. Who offers is fixed, so offers never
 * collide: doctor → patient, doctor → guest, patient → guest; the guest only
 * answers. Each connection sends the camera within the same cap (senders.ts).
 * The guest coming and going never touches the doctor's and the patient's call.
 */

const ORDER: Role[] = ['doctor', 'patient', 'guest']

/** This side makes the offers to `them`. */
export function offersTo(me: Role, them: Role): boolean {
  return ORDER.indexOf(me) < ORDER.indexOf(them)
}

export interface MeshHost {
  readonly state: RoomState
  readonly relay: boolean
  role(): Role | null
  send(message: ClientMessage): boolean
  acquireMedia(): Promise<unknown>
  /** The room is open on this page: the call may begin. */
  isOpen(): boolean
  /** This page is the guest's, and it was removed (or its invitation revoked). */
  removed(): void
}

const PAIR_ACTIONS = ['offer', 'answer', 'candidate', 'restart']

/** The doctor's and the patient's own messages name the other one of their pair (a guest may be in the room). */
export function addressed(message: ClientMessage, me: Role | null): ClientMessage {
  if (PAIR_ACTIONS.indexOf(message.action) === -1 || ('to' in message && message.to) || me === 'guest') return message
  return Object.assign({}, message, { to: me === 'doctor' ? 'patient' : 'doctor' }) as ClientMessage
}

interface Pair {
  pc: RTCPeerConnection
  queued: RTCIceCandidateInit[]
  /** Made ahead (epoch ms), its offer not sent yet: the candidates gathered meanwhile go in the offer itself. */
  prepared: number
}

export type MeshMessage =
  | { type: 'offer'; from: Role; sdp: string }
  | { type: 'answer'; from: Role; sdp: string }
  | { type: 'candidate'; from: Role; candidate: RTCIceCandidateInit }
  | { type: 'restart'; from: Role }

export class GuestMesh {
  private pairs: Partial<Record<Role, Pair>> = {}

  constructor(private readonly host: MeshHost) {}

  /** Messages from `from` belong to the mesh: the guest is one of the pair. */
  handles(from: Role): boolean {
    return this.host.role() === 'guest' || from === 'guest'
  }

  /** A connection with `them` that is in use (not one made ahead for a guest not here yet). */
  has(them: Role): boolean {
    const pair = this.pairs[them]
    return !!pair && !pair.prepared
  }

  /**
   * In the open room, with a guest invited but not here yet: the connection to
   * the guest is made ahead and its offer set, so that the moment the guest
   * joins the offer goes with the candidates gathered meanwhile in it (as the
   * doctor's to the patient does, peerLink.ts) — no offer to make then, no
   * candidates to trickle one by one.
   */
  prepare(them: Role): void {
    const me = this.host.role()
    if (!me || me === them || !offersTo(me, them) || this.pairs[them] || typeof RTCPeerConnection === 'undefined') return
    const pair = this.newPair(them)
    pair.prepared = Date.now()
    addLocalTracks(pair.pc, this.host.state.localStream)
    void (async () => {
      const offer = await pair.pc.createOffer()
      if (this.pairs[them] === pair && pair.prepared) await pair.pc.setLocalDescription(offer)
    })().catch(() => undefined)
  }

  /** The offer made ahead, if still good (its TURN credentials fresh), sent now: its pair; null: make a new one. */
  private sendPrepared(them: Role): Pair | null {
    const pair = this.pairs[them]
    if (!pair || !pair.prepared) return null
    const description = pair.pc.localDescription
    const fresh = Date.now() - pair.prepared < ICE_SERVERS_LIFE && pair.pc.signalingState === 'have-local-offer'
    pair.prepared = 0
    if (!fresh || !description) return null
    this.host.send({ action: 'offer', sdp: description.sdp, to: them })
    return pair
  }

  /**
   * The signaling's messages that are the mesh's alone (true: the session's
   * own call never sees them): frames for someone else, the guest's pairs'
   * frames, the guest coming and going on the doctor's and the patient's pages,
   * and the guest's page sent away.
   */
  async route(message: ServerMessage): Promise<boolean> {
    const me = this.host.role()
    switch (message.type) {
      case 'offer':
      case 'answer':
      case 'candidate':
      case 'restart':
        if (message.to && message.to !== me) return true
        if (!this.handles(message.from)) return false
        await this.onRelayed(message)
        return true
      case 'peer_joined':
        if (message.role !== 'guest' || me === 'guest') return false
        if (message.status === 'open' && this.host.isOpen()) await this.peerHere('guest')
        return true
      case 'peer_left':
        if (!this.handles(message.role)) return false
        if (message.reason === 'guest_removed') this.forgetGuest()
        this.drop(message.role)
        return true
      case 'room_closed':
        if (message.reason !== 'guest_removed') return false
        this.host.removed()
        return true
      default:
        return false
    }
  }

  /** Who is in the room, as a join's answer says: the side that offers calls those it has no connection with. */
  async present(roles: Role[] | undefined): Promise<void> {
    if (!this.host.isOpen()) return
    for (const role of roles || []) if (this.handles(role) && !this.has(role)) await this.peerHere(role)
  }

  /** `them` is in the open room: the side that offers calls it (again, from scratch: it may have reloaded). */
  async peerHere(them: Role): Promise<void> {
    const me = this.host.role()
    if (!me || me === them || !offersTo(me, them)) return
    await this.host.acquireMedia()
    const ready = this.sendPrepared(them)
    if (ready) {
      await applyLimits(ready.pc, this.host.state)
      return
    }
    const pair = this.newPair(them)
    addLocalTracks(pair.pc, this.host.state.localStream)
    const offer = await pair.pc.createOffer()
    if (this.pairs[them] !== pair) return
    await pair.pc.setLocalDescription(offer)
    this.host.send({ action: 'offer', sdp: offer.sdp || '', to: them })
    await applyLimits(pair.pc, this.host.state)
  }

  async onRelayed(message: MeshMessage): Promise<void> {
    const them = message.from
    switch (message.type) {
      case 'offer': {
        await this.host.acquireMedia()
        const pair = this.newPair(them)
        await pair.pc.setRemoteDescription({ type: 'offer', sdp: message.sdp })
        await attachToOffer(pair.pc, this.host.state.localStream)
        const answer = await pair.pc.createAnswer()
        await pair.pc.setLocalDescription(answer)
        this.host.send({ action: 'answer', sdp: answer.sdp || '', to: them })
        await this.flush(pair)
        await applyLimits(pair.pc, this.host.state)
        return
      }
      case 'answer': {
        const pair = this.pairs[them]
        if (!pair || pair.pc.signalingState !== 'have-local-offer') return
        await pair.pc.setRemoteDescription({ type: 'answer', sdp: message.sdp })
        await this.flush(pair)
        return
      }
      case 'candidate': {
        const pair = this.pairs[them]
        if (!pair) return
        if (pair.pc.remoteDescription) await pair.pc.addIceCandidate(message.candidate).catch(() => undefined)
        else pair.queued.push(message.candidate)
        return
      }
      case 'restart':
        if (this.host.role() && offersTo(this.host.role() as Role, them)) await this.peerHere(them)
        return
    }
  }

  /** The doctor removed the guest (the server knows): the guest's page is told at once, its video goes. */
  sendGuestAway(): void {
    this.host.send({ action: 'guest_removed' })
    this.drop('guest')
    this.forgetGuest()
  }

  /** No guest any more (removed): its tile and its name go from this page. */
  private forgetGuest(): void {
    const info = this.host.state.info
    if (info) this.host.state.info = Object.assign({}, info, { guest: null })
  }

  /** `them` has gone (or was removed): its connection and its video go. */
  drop(them: Role): void {
    const pair = this.pairs[them]
    delete this.pairs[them]
    if (pair) pair.pc.close()
    this.setStream(them, null)
    this.guestView()
  }

  close(): void {
    ORDER.forEach((role) => this.drop(role))
  }

  private async flush(pair: Pair): Promise<void> {
    const queued = pair.queued
    pair.queued = []
    for (const candidate of queued) await pair.pc.addIceCandidate(candidate).catch(() => undefined)
  }

  private newPair(them: Role): Pair {
    this.drop(them)
    const info = this.host.state.info
    const config: RTCConfiguration = { iceServers: info ? info.ice_servers : [], iceCandidatePoolSize: 1 }
    if (this.host.relay) config.iceTransportPolicy = 'relay'
    const pc = new RTCPeerConnection(config)
    const pair: Pair = { pc, queued: [], prepared: 0 }
    this.pairs[them] = pair
    pc.onicecandidate = (event) => {
      // Made ahead: the candidate is in the offer once it is sent.
      if (this.pairs[them] !== pair || !event.candidate || pair.prepared) return
      const candidate = event.candidate
      const init: RTCIceCandidateInit =
        typeof candidate.toJSON === 'function'
          ? candidate.toJSON()
          : { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex }
      this.host.send({ action: 'candidate', candidate: init, to: them })
    }
    pc.ontrack = (event) => {
      if (this.pairs[them] !== pair) return
      const current = this.host.state.remotes[them]
      const tracks = current ? current.getTracks() : []
      if (tracks.indexOf(event.track) !== -1) return
      this.setStream(them, new MediaStream(tracks.concat([event.track])))
    }
    pc.oniceconnectionstatechange = () => {
      if (this.pairs[them] !== pair) return
      this.guestView()
      if (pc.iceConnectionState !== 'failed') return
      const me = this.host.role()
      // The offering side calls again; the other asks it to.
      if (me && offersTo(me, them)) void this.peerHere(them)
      else this.host.send({ action: 'restart', to: them })
    }
    return pair
  }

  /** The guest's page has no watched pair: its status says whether either of its connections is up. */
  private guestView(): void {
    if (this.host.role() !== 'guest') return
    const states = ORDER.map((role) => this.pairs[role]).map((pair) => (pair ? pair.pc.iceConnectionState : 'none'))
    const up = states.some((ice) => ice === 'connected' || ice === 'completed')
    this.host.state.connection = up ? 'connected' : states.some((ice) => ice !== 'none') ? 'connecting' : 'waiting'
  }

  private setStream(them: Role, stream: MediaStream | null): void {
    const remotes = Object.assign({}, this.host.state.remotes)
    if (stream) remotes[them] = stream
    else delete remotes[them]
    this.host.state.remotes = remotes
  }
}
