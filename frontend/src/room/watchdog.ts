import { reactive } from 'vue'
import { msUntil } from './clock'
import { OFFER_TIMEOUT, type PeerLink } from './peerLink'
import { isHealthy, type ConnectionView, type Phase, type RoomState } from './roomState'
import type { ClientMessage, Role } from './signaling'
import { MediaFlow, inboundBytes } from './stats'

/**
 * Keeping the call up. Once a second while in the room: restart what has been
 * down too long, and catch an opening that was missed (what to do is decided by
 * `watchdogStep` from the facts of the moment); a dropped connection is
 * recovered at once; and the person is shown how the call is (`connection`),
 * and that the other one has gone (`presence`): said so by the server
 * ("peer_left", on hanging up, closing the page or losing the socket), or no
 * media from them for STALL_MS (their network died without a word).
 */

/** Whether the other one, once in the call, has gone; `dismissed`: the person chose to wait (the notice is put away). */
export interface CallPresence {
  met: boolean
  stalled: boolean
  gone: boolean
  dismissed: boolean
}

/** Time a connection may stay "disconnected" before it is restarted. */
export const DISCONNECTED_GRACE = 2000
/** Not connected this long after both are present: the patient asks the doctor to start over. */
export const CONNECT_TIMEOUT = 6000
/** The patient asks again for a restart at most this often. */
const RESTART_REQUEST_EVERY = 4000
/** In the lobby this long after the start (server time), "join" is said again: an opening may have been missed. */
const MISSED_OPENING = 5000
/** ... but not more often than this. */
const JOIN_AGAIN_EVERY = 10000

export interface CallFacts {
  now: number
  phase: Phase
  role: Role | null
  signalingOpen: boolean
  /** Milliseconds until the start by the server's clock (negative after it; null: not known). */
  untilStart: number | null
  lastJoin: number
  /** The room is open and the other one is there. */
  openWithPeer: boolean
  /** The connection's state (null: there is none). */
  pc: { healthy: boolean; createdAt: number } | null
  unhealthySince: number
  offerPendingSince: number
  bothPresentSince: number
}

export interface WatchdogStep {
  /** Say "join" again (in the lobby after the start). */
  join: boolean
  /** Recover (the doctor restarts ICE, the patient asks to), or the doctor makes a new offer of this kind. */
  call: 'recover' | 'restart' | 'fresh' | null
}

export function watchdogStep(facts: CallFacts): WatchdogStep {
  const now = facts.now
  const join =
    facts.phase === 'lobby' &&
    facts.signalingOpen &&
    facts.untilStart !== null &&
    facts.untilStart < -MISSED_OPENING &&
    now - facts.lastJoin > JOIN_AGAIN_EVERY
  if (!facts.openWithPeer || !facts.signalingOpen) return { join, call: null }
  const pc = facts.pc
  let call: WatchdogStep['call'] = null
  if (facts.unhealthySince && now - facts.unhealthySince >= DISCONNECTED_GRACE) {
    call = 'recover'
  } else if (facts.role === 'doctor' && facts.offerPendingSince && now - facts.offerPendingSince >= OFFER_TIMEOUT) {
    call = 'restart'
  } else if (
    (!pc || !pc.healthy) &&
    facts.bothPresentSince &&
    now - facts.bothPresentSince >= CONNECT_TIMEOUT &&
    (!pc || now - pc.createdAt >= CONNECT_TIMEOUT)
  ) {
    if (facts.role === 'doctor') call = pc ? 'restart' : 'fresh'
    else call = 'recover'
  }
  return { join, call }
}

/** What the watchdog needs from the session around it. */
export interface WatchdogHost {
  readonly state: RoomState
  readonly link: PeerLink
  role(): Role | null
  /** The room is open and the other one is there. */
  isOpenWithPeer(): boolean
  /** null: no socket (yet or any more). */
  signalingOpen(): boolean | null
  bothPresentSince(): number
  lastJoin(): number
  join(): void
  send(message: ClientMessage): boolean
  enqueue(task: () => Promise<void> | void): void
  /** False once the session is destroyed. */
  alive(): boolean
}

export class Watchdog {
  private timer: ReturnType<typeof setInterval> | null = null
  private lastRestartRequest = 0
  private readonly flow = new MediaFlow()
  private flowPc: RTCPeerConnection | null = null
  readonly presence: CallPresence = reactive({ met: false, stalled: false, gone: false, dismissed: false })

  constructor(private readonly host: WatchdogHost) {}

  start(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => this.tick(), 1000)
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }

  /** The connection dropped: the doctor restarts ICE, the patient asks the doctor to. */
  recover(): void {
    const host = this.host
    if (!host.isOpenWithPeer()) return
    if (host.signalingOpen() === false) return // the socket comes back first; its "state" answer continues
    if (host.role() === 'doctor') {
      host.enqueue(() => host.link.negotiate('restart'))
    } else {
      const now = Date.now()
      if (now - this.lastRestartRequest < RESTART_REQUEST_EVERY) return
      this.lastRestartRequest = now
      host.send({ action: 'restart' })
    }
  }

  private tick(): void {
    const host = this.host
    if (!host.alive()) return
    const { state, link } = host
    const info = state.info
    const pc = link.pc
    const step = watchdogStep({
      now: Date.now(),
      phase: state.phase,
      role: host.role(),
      signalingOpen: host.signalingOpen() === true,
      untilStart: info ? msUntil(info.starts_at, state.offset) : null,
      lastJoin: host.lastJoin(),
      openWithPeer: host.isOpenWithPeer(),
      pc: pc ? { healthy: isHealthy(pc.iceConnectionState), createdAt: link.createdAt } : null,
      unhealthySince: link.unhealthySince,
      offerPendingSince: link.offerPendingSince,
      bothPresentSince: host.bothPresentSince(),
    })
    void this.checkFlow()
    if (step.join) host.join()
    if (step.call === 'recover') this.recover()
    else if (step.call) {
      const kind = step.call
      host.enqueue(() => link.negotiate(kind))
    }
    this.updateView()
  }

  /** The other side's media on the current connection: still coming, or stalled (`presence.stalled`). */
  private async checkFlow(): Promise<void> {
    const host = this.host
    const pc = host.link.pc
    if (pc !== this.flowPc) this.flow.reset()
    this.flowPc = pc
    let stalled = false
    if (pc && host.state.phase === 'open') {
      let report: RTCStatsReport
      try {
        report = await pc.getStats()
      } catch {
        return
      }
      if (host.link.pc !== pc || !host.alive()) return
      stalled = this.flow.note(inboundBytes(report), Date.now())
    }
    if (this.presence.stalled !== stalled) {
      this.presence.stalled = stalled
      this.updateView()
    }
  }

  /**
   * How the call looks to the person: connected, waiting for the other one,
   * recovering (this side's own socket is down), or connecting; and whether
   * the other one, once met in the call, has gone.
   */
  updateView(): void {
    const { state, link } = this.host
    const presence = this.presence
    const pc = link.pc
    const selfCut = state.signaling === 'reconnecting'
    const present = state.peerPresent && (!presence.stalled || selfCut)
    let view: ConnectionView
    if (pc && isHealthy(pc.iceConnectionState) && present) view = 'connected'
    else if (selfCut && state.phase === 'open') view = 'recovering'
    else if (!present) view = 'waiting'
    else if (link.unhealthySince || link.restartAttempts > 0) view = 'recovering'
    else view = 'connecting'
    if (state.connection !== view) state.connection = view
    if (view === 'connected') presence.met = true
    const gone = presence.met && !present && !selfCut && state.phase === 'open'
    if (presence.gone !== gone) presence.gone = gone
    if (!gone) presence.dismissed = false
  }
}
