import { withStartBitrate } from './quality'
import { ICE_SERVERS_LIFE } from './roomClient'
import { isHealthy, type RoomMarks, type RoomState } from './roomState'
import { addLocalTracks, applyLimits, attachToOffer, replaceVideoTrack } from './senders'
import type { ClientMessage, Role } from './signaling'
import { summarize, type CallStats } from './stats'

/**
 * The peer connection and its negotiation. The roles are fixed rather than
 * "polite" and "impolite" as in MDN's perfect negotiation: only the doctor
 * makes offers, so two offers never collide. The doctor offers when both are
 * in the open room, makes the connection (and its offer) ahead while waiting,
 * and restarts ICE to recover; the patient answers, and asks for a restart when
 * its side drops. Candidates are queued until the remote description is set,
 * and this side's own ones wait until its offer or answer has gone.
 */

/** An offer without an answer for this long is made again. */
export const OFFER_TIMEOUT = 4000

/** What the link needs from the session around it. */
export interface PeerHost {
  readonly state: RoomState
  readonly marks: RoomMarks
  /** `?relay=1`: only TURN relay candidates. */
  readonly relay: boolean
  role(): Role | null
  /** The doctor may offer now: the room is open, the patient is there, the socket is up. */
  mayOffer(): boolean
  send(message: ClientMessage): boolean
  /** Runs a task after the ones before it (messages and negotiations, one at a time). */
  enqueue(task: () => Promise<void> | void): void
  /** The camera and microphone (waited for while they are being asked for). */
  acquireMedia(): Promise<unknown>
  refreshIceServers(): Promise<void>
  /** Epoch ms when the other one last left. */
  peerLeftAt(): number
  /** The room has opened: the call begins. */
  open(): Promise<void>
  /** ICE failed: the doctor restarts, the patient asks to. */
  recover(): void
  updateConnectionView(): void
}

function sessionIdOf(sdp: string): string {
  const match = /^o=\S+ (\S+) /m.exec(sdp)
  return match ? match[1] : ''
}

export class PeerLink {
  private pcRef: RTCPeerConnection | null = null
  private pcCreatedAt = 0
  private remoteSession = ''
  private queuedCandidates: RTCIceCandidateInit[] = []
  /** This side's candidates wait until its offer or answer has gone: the SDP must not queue behind them. */
  private localCandidates: RTCIceCandidateInit[] | null = null
  private offerSentAt = 0
  private lastStats: CallStats | null = null
  /** Epoch ms since the doctor's offer waits for an answer (0: none waits). */
  offerPendingSince = 0
  /** Epoch ms since ICE has been disconnected or failed (0: healthy or new). */
  unhealthySince = 0
  restartAttempts = 0
  /**
   * The current connection was made ahead, in the open room before the other
   * one came (gathering its candidates, and for the doctor with its offer set),
   * and nothing of it has been sent yet.
   */
  prepared = false

  constructor(private readonly host: PeerHost) {}

  get pc(): RTCPeerConnection | null {
    return this.pcRef
  }

  get createdAt(): number {
    return this.pcCreatedAt
  }

  private newPc(): RTCPeerConnection {
    this.close()
    const { state, marks } = this.host
    const info = state.info
    // The pool starts gathering (and TURN allocations) at once, before any description is set.
    const config: RTCConfiguration = { iceServers: info ? info.ice_servers : [], iceCandidatePoolSize: 1 }
    if (this.host.relay) config.iceTransportPolicy = 'relay'
    const pc = new RTCPeerConnection(config)
    this.pcRef = pc
    this.prepared = false
    this.pcCreatedAt = Date.now()
    this.queuedCandidates = []
    this.localCandidates = []
    this.offerPendingSince = 0
    this.unhealthySince = 0
    state.iceState = pc.iceConnectionState
    state.remoteStream = null
    pc.onicecandidate = (event) => {
      if (this.pcRef !== pc || !event.candidate) return
      const candidate = event.candidate
      const init: RTCIceCandidateInit =
        typeof candidate.toJSON === 'function'
          ? candidate.toJSON()
          : { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex }
      if (this.localCandidates) this.localCandidates.push(init)
      else this.host.send({ action: 'candidate', candidate: init })
    }
    pc.ontrack = (event) => {
      if (this.pcRef !== pc) return
      const current = state.remoteStream ? state.remoteStream.getTracks() : []
      if (current.indexOf(event.track) !== -1) return
      // A new stream object each time, so that the video element takes up the added track.
      state.remoteStream = new MediaStream(current.concat([event.track]))
    }
    pc.oniceconnectionstatechange = () => {
      if (this.pcRef !== pc) return
      const ice = pc.iceConnectionState
      state.iceState = ice
      if (isHealthy(ice)) {
        if (marks.connected === null) marks.connected = Date.now()
        this.unhealthySince = 0
        this.restartAttempts = 0
      } else if ((ice === 'disconnected' || ice === 'failed') && !this.unhealthySince) {
        this.unhealthySince = Date.now()
      }
      if (ice === 'failed') this.host.recover()
      this.host.updateConnectionView()
    }
    return pc
  }

  /**
   * In the open room, before the other one is here: the connection is made
   * ahead, and the doctor's offer set, so that the call starts the moment both
   * are present (the offer then carries the gathered candidates in itself).
   */
  prepare(): void {
    if (this.pcRef || typeof RTCPeerConnection === 'undefined') return
    const pc = this.newPc()
    this.prepared = true
    if (this.host.role() !== 'doctor') return
    addLocalTracks(pc, this.host.state.localStream)
    this.host.enqueue(async () => {
      if (this.pcRef !== pc || !this.prepared || pc.localDescription) return
      const offer = await pc.createOffer()
      if (this.pcRef === pc && this.prepared) await pc.setLocalDescription(offer)
    })
  }

  /** Closes the connection (if any) and forgets the other side's session. */
  close(): void {
    const pc = this.pcRef
    this.pcRef = null
    this.prepared = false
    if (pc) {
      pc.onicecandidate = null
      pc.ontrack = null
      pc.oniceconnectionstatechange = null
      try {
        pc.close()
      } catch {
        // already closed
      }
    }
    this.remoteSession = ''
    this.host.state.remoteStream = null
    this.host.state.iceState = 'new'
  }

  /** The camera was switched: the call sends the new track, within the same limits. */
  async useVideoTrack(track: MediaStreamTrack): Promise<void> {
    const pc = this.pcRef
    if (!pc) return
    await replaceVideoTrack(pc, track)
    await applyLimits(pc, this.host.state)
  }

  /**
   * The doctor's offer. "fresh" is a new connection (the patient has just come
   * or come back); "restart" restarts ICE on the current one (after two restarts
   * that did not help, or without an answered offer, it starts over instead).
   */
  async negotiate(kind: 'fresh' | 'restart'): Promise<void> {
    if (this.host.role() !== 'doctor' || !this.host.mayOffer()) return
    if (this.host.state.media === 'asking') await this.host.acquireMedia()
    const now = Date.now()
    let pc = this.pcRef
    if (pc && this.prepared) {
      if (now - this.pcCreatedAt < ICE_SERVERS_LIFE) return this.sendPrepared(pc)
      kind = 'fresh'
    }
    if (
      kind === 'fresh' &&
      pc &&
      now - this.offerSentAt < 3000 &&
      this.offerSentAt > this.host.peerLeftAt() &&
      pc.iceConnectionState !== 'failed'
    ) {
      // The same arrival told twice ("state" and "peer_joined" after the opening): one offer is enough.
      return
    }
    if (kind === 'restart' && this.offerPendingSince && now - this.offerPendingSince < OFFER_TIMEOUT) return
    if (kind === 'restart' && (!pc || !pc.remoteDescription || this.restartAttempts >= 2)) kind = 'fresh'
    if (kind === 'fresh' || !pc) {
      await this.host.refreshIceServers()
      pc = this.newPc()
      addLocalTracks(pc, this.host.state.localStream)
    } else {
      this.restartAttempts += 1
    }
    const offer = await pc.createOffer(kind === 'restart' ? { iceRestart: true } : {})
    if (this.pcRef !== pc) return
    this.localCandidates = this.localCandidates || []
    await pc.setLocalDescription(offer)
    if (this.pcRef !== pc) return
    this.offerSent()
    this.sendDescription({ action: 'offer', sdp: offer.sdp || '' })
    await applyLimits(pc, this.host.state)
    this.host.updateConnectionView()
  }

  private offerSent(): void {
    this.offerPendingSince = this.offerSentAt = Date.now()
    if (this.host.marks.offer === null) this.host.marks.offer = Date.now()
  }

  /** The offer made ahead, with every candidate gathered since in it; later ones follow it. */
  private async sendPrepared(pc: RTCPeerConnection): Promise<void> {
    this.prepared = false
    if (!pc.localDescription) {
      this.localCandidates = this.localCandidates || []
      await pc.setLocalDescription(await pc.createOffer())
    }
    if (this.pcRef !== pc || !pc.localDescription) return
    this.localCandidates = []
    this.offerSent()
    this.sendDescription({ action: 'offer', sdp: pc.localDescription.sdp })
    await applyLimits(pc, this.host.state)
    this.host.updateConnectionView()
  }

  /** The offer or answer first, then the candidates gathered meanwhile. */
  private sendDescription(message: ClientMessage): void {
    this.host.send(message)
    const pending = this.localCandidates || []
    this.localCandidates = null
    pending.forEach((candidate) => this.host.send({ action: 'candidate', candidate }))
  }

  /** The doctor: the patient's answer. */
  async onAnswer(sdp: string): Promise<void> {
    const pc = this.pcRef
    if (!pc || pc.signalingState !== 'have-local-offer') return
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp: withStartBitrate(sdp, this.host.state.bitrate) })
    } catch {
      // An answer this connection cannot take (the patient started over): start over too.
      this.offerPendingSince = 0
      await this.negotiate('fresh')
      return
    }
    this.offerPendingSince = 0
    if (this.host.marks.answer === null) this.host.marks.answer = Date.now()
    await this.flushCandidates(pc)
  }

  /** The patient: the doctor's offer, a first one or an ICE restart. */
  async onOffer(sdp: string): Promise<void> {
    const { state, marks } = this.host
    // The server relays offers only in an open room: this one may have overtaken "room_open".
    if (state.phase === 'lobby') await this.host.open()
    if (state.phase !== 'open') return
    if (state.media === 'asking') await this.host.acquireMedia()
    if (marks.offer === null) marks.offer = Date.now()
    const session = sessionIdOf(sdp)
    let pc = this.pcRef
    // An offer from a new connection of the doctor's (a reload) needs a new one here; an ICE restart does not.
    const ahead = !!pc && this.prepared && !pc.remoteDescription && pc.signalingState === 'stable'
    if (!ahead && (!pc || pc.signalingState === 'closed' || session !== this.remoteSession)) {
      await this.host.refreshIceServers()
      pc = this.newPc()
    }
    if (!pc) return
    this.prepared = false
    this.remoteSession = session
    await pc.setRemoteDescription({ type: 'offer', sdp: withStartBitrate(sdp, state.bitrate) })
    await attachToOffer(pc, state.localStream)
    const answer = await pc.createAnswer()
    if (this.pcRef !== pc) return
    this.localCandidates = this.localCandidates || []
    await pc.setLocalDescription(answer)
    if (this.pcRef !== pc) return
    if (marks.answer === null) marks.answer = Date.now()
    this.sendDescription({ action: 'answer', sdp: answer.sdp || '' })
    await applyLimits(pc, this.host.state)
    await this.flushCandidates(pc)
    this.host.updateConnectionView()
  }

  async onCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    const pc = this.pcRef
    if (!pc || !pc.remoteDescription) {
      if (this.queuedCandidates.length < 200) this.queuedCandidates.push(candidate)
      return
    }
    try {
      await pc.addIceCandidate(candidate)
    } catch {
      // A candidate of an earlier connection or ICE generation: not for this one.
    }
  }

  private async flushCandidates(pc: RTCPeerConnection): Promise<void> {
    const queued = this.queuedCandidates
    this.queuedCandidates = []
    for (const candidate of queued) {
      try {
        await pc.addIceCandidate(candidate)
      } catch {
        // see onCandidate
      }
    }
  }

  /** The call's numbers now (bitrates over the time since the previous call). */
  async stats(): Promise<CallStats | null> {
    const pc = this.pcRef
    if (!pc) return null
    const report = await pc.getStats()
    const summary = summarize(report, this.lastStats)
    this.lastStats = summary
    return summary
  }
}
