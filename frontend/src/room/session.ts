import { ApiError } from '../api'
import { clockOffset, delayUntil, msUntil } from './clock'
import { LocalMedia } from './localMedia'
import { GuestMesh, addressed } from './mesh'
import type { RoomOptions, ShutdownReason } from './options'
import { PeerLink } from './peerLink'
import { effectiveBitrate } from './quality'
import { RoomClient, isFinalRoomError } from './roomClient'
import { newRoomMarks, newRoomState, type RoomInfo, type RoomMarks, type RoomState } from './roomState'
import { Signaling, type ClientMessage, type Role, type ServerMessage } from './signaling'
import type { CallStats } from './stats'
import { Watchdog } from './watchdog'

export { roomPath } from './roomClient'
export type { RoomOptions, ShutdownReason } from './options'
export type { ChatMessage, ConnectionView, MediaState, Phase, RoomInfo, RoomMarks, RoomState } from './roomState'

/**
 * One participant's side of the video room. It follows the room's state
 * (roomClient.ts, then the signaling socket's messages) through its phases and
 * puts together the camera and microphone (localMedia.ts), the peer connection
 * (peerLink.ts) and the watchdog (watchdog.ts); `shutdown` ends all of them.
 * The doctor makes the offers: when the room is open and the patient is there
 * (the answer to "join", "peer_joined", or "room_open"), and to recover the
 * connection (an ICE restart). The patient answers, and asks the doctor to
 * restart ICE when its side of the connection drops. A guest's pairs (a three-way
 * call, made ahead like the pair's) are the mesh's (mesh.ts), not this call's.
 */

/** Waiting for the camera permission never keeps the person out of the room longer than this. */
const MEDIA_WAIT = 10000

export class RoomSession {
  readonly state: RoomState
  readonly marks: RoomMarks = newRoomMarks()
  private readonly options: RoomOptions
  private readonly client: RoomClient
  /** The camera and microphone, asked for once and shared by the device check and the call. */
  readonly media: LocalMedia
  private readonly link: PeerLink
  readonly mesh: GuestMesh
  /** Keeps the call up; its `presence` says whether the other one has gone. */
  readonly watchdog: Watchdog
  private signaling: Signaling | null = null
  private peerLeftAt = 0
  private bothPresentSince = 0
  private lastJoin = 0
  private chain: Promise<void> = Promise.resolve()
  private timers: ReturnType<typeof setTimeout>[] = []
  private chatId = 0
  private destroyed = false

  constructor(options: RoomOptions) {
    this.options = options
    this.state = newRoomState(effectiveBitrate(undefined, options.bitrate))
    this.client = new RoomClient(this.state, options)
    this.media = new LocalMedia(this.state, () => !this.destroyed)
    this.link = new PeerLink({
      state: this.state,
      marks: this.marks,
      relay: options.relay,
      role: () => this.role,
      mayOffer: () => this.isOpenWithPeer() && !!this.signaling && this.signaling.isOpen,
      send: (message) => this.send(message),
      enqueue: (task) => this.enqueue(task),
      acquireMedia: () => this.media.acquire(),
      refreshIceServers: () => this.client.refreshIceServers(),
      peerLeftAt: () => this.peerLeftAt,
      open: () => this.open(),
      recover: () => this.watchdog.recover(),
      updateConnectionView: () => this.watchdog.updateView(),
    })
    this.mesh = new GuestMesh({
      state: this.state,
      relay: options.relay,
      role: () => this.role,
      send: (message) => this.send(message),
      acquireMedia: () => this.media.acquire(),
      isOpen: () => this.state.phase === 'open',
      removed: () => this.close('', 'guest_removed'),
    })
    this.watchdog = new Watchdog({
      state: this.state,
      link: this.link,
      role: () => this.role,
      isOpenWithPeer: () => this.isOpenWithPeer(),
      signalingOpen: () => (this.signaling ? this.signaling.isOpen : null),
      bothPresentSince: () => this.bothPresentSince,
      lastJoin: () => this.lastJoin,
      join: () => this.join(),
      send: (message) => this.send(message),
      enqueue: (task) => this.enqueue(task),
      alive: () => !this.destroyed,
    })
  }

  get pc(): RTCPeerConnection | null {
    return this.link.pc
  }

  get role(): Role | null {
    return this.state.info ? this.state.info.role : null
  }

  // --- The room's state ---------------------------------------------------------------------

  /**
   * Asks the server for the room and goes to the phase it is in. `quietly`: a
   * look while waiting for the lobby, where a network failure only means "look
   * again in a few seconds".
   */
  async load(quietly = false): Promise<void> {
    if (this.destroyed) return
    if (!quietly) {
      this.state.error = ''
      this.state.errorCode = ''
    }
    let info: RoomInfo
    try {
      info = await this.client.fetch()
    } catch (error) {
      if (this.destroyed) return
      if (quietly && !isFinalRoomError(error)) {
        this.lookAgainIn(5000)
        return
      }
      this.failLoad(error)
      return
    }
    if (this.destroyed) return
    this.apply(info)
  }

  private failLoad(error: unknown): void {
    if (error instanceof ApiError && error.code === 'room_closed') {
      this.close(error.message)
      return
    }
    this.shutdown('error')
    this.state.error = error instanceof ApiError ? error.message : ''
    this.state.errorCode = error instanceof ApiError ? error.code : 'unexpected'
  }

  private apply(info: RoomInfo): void {
    this.client.take(info)
    this.state.bitrate = effectiveBitrate(info.video ? info.video.max_bitrate : undefined, this.options.bitrate)
    if (info.status === 'closed') {
      this.close('')
      return
    }
    if (info.status === 'scheduled') {
      this.state.phase = 'scheduled'
      // Before the lobby opens there is no ticket yet: look again at its opening (server time), and now and then.
      const untilLobby = msUntil(info.opens_at, this.state.offset)
      this.lookAgainIn(
        untilLobby !== null && untilLobby <= 0 ? 3000 : Math.min(delayUntil(info.opens_at, this.state.offset) + 500, 60000),
      )
      return
    }
    this.state.phase = info.status === 'open' ? 'open' : 'lobby'
    if (info.role !== 'guest') this.watchdog.start() // the guest's pairs are the mesh's, not the watched call
    void this.enterWithMedia(info.signaling_url)
  }

  private lookAgainIn(ms: number): void {
    this.later(() => {
      if (this.state.phase === 'scheduled') void this.load(true)
    }, ms)
  }

  /** The camera first (within reason), then at most MEDIA_WAIT for it. */
  private waitForMedia(): Promise<unknown> {
    return Promise.race([this.media.acquire(), new Promise((resolve) => this.later(() => resolve(null), MEDIA_WAIT))])
  }

  private async enterWithMedia(firstUrl: string | null): Promise<void> {
    // The camera first (within reason): the doctor offers as soon as both are present.
    await this.waitForMedia()
    if (this.destroyed || (this.state.phase !== 'lobby' && this.state.phase !== 'open')) return
    this.prepare()
    this.connectSignaling(firstUrl)
  }

  private connectSignaling(firstUrl: string | null): void {
    if (this.signaling) return
    const signaling = new Signaling({
      firstUrl,
      getUrl: () => this.client.signalingUrl(),
      isFatal: isFinalRoomError,
      onFatal: (error) => this.failLoad(error),
      onOpen: () => this.join(),
      onMessage: (message) => this.enqueue(() => this.onMessage(message)),
      onStatus: (status) => {
        this.state.signaling = status
        this.watchdog.updateView()
      },
    })
    this.signaling = signaling
    signaling.start()
  }

  private join(): void {
    this.lastJoin = Date.now()
    this.send({ action: 'join' })
  }

  private send(message: ClientMessage): boolean {
    return this.signaling ? this.signaling.send(addressed(message, this.role)) : false
  }

  /** Messages are handled one after another: an offer is answered before the candidates after it are added. */
  private enqueue(task: () => Promise<void> | void): void {
    this.chain = this.chain.then(task).catch((error: unknown) => {
      if (typeof console !== 'undefined') console.warn('room:', error instanceof Error ? error.message : error)
    })
  }

  private async onMessage(message: ServerMessage): Promise<void> {
    if (this.destroyed || (await this.mesh.route(message))) return
    switch (message.type) {
      case 'state':
        if (this.marks.joined === null) this.marks.joined = Date.now()
        this.state.offset = clockOffset(message.server_time)
        this.setPeerPresent(message.peer_present)
        if (message.status === 'closed') return this.close('')
        if (message.status === 'open') await this.open()
        // The doctor calls a patient who is already here, or (back after a dropped socket) restarts a connection that broke.
        if (this.isOpenWithPeer() && this.role === 'doctor') {
          if (!this.link.pc || this.link.prepared) await this.link.negotiate('fresh')
          else if (this.link.unhealthySince) await this.link.negotiate('restart')
        }
        await this.mesh.present(message.present)
        return
      case 'peer_joined':
        this.setPeerPresent(true)
        if (message.status === 'open') await this.open()
        // The patient may have reloaded the page: a new connection from scratch.
        if (this.isOpenWithPeer() && this.role === 'doctor') await this.link.negotiate('fresh')
        return
      case 'peer_left':
        this.peerLeftAt = Date.now()
        this.setPeerPresent(false)
        return
      case 'room_open':
        this.state.offset = clockOffset(message.server_time)
        await this.open()
        // Say again that we are here, now that it counts as attending; the answer says whether the other one is.
        this.join()
        return
      case 'room_closed':
        return this.close('')
      case 'offer':
      case 'answer':
      case 'candidate':
      case 'chat':
      case 'restart':
        // Only the other one sends these: it is here, whatever the order of "peer_left" and "peer_joined" was.
        if (!this.state.peerPresent) this.setPeerPresent(true)
        return this.onRelayed(message)
      case 'error':
        return
    }
  }

  private async onRelayed(message: ServerMessage): Promise<void> {
    switch (message.type) {
      case 'offer':
        if (this.role === 'patient') await this.link.onOffer(message.sdp)
        return
      case 'answer':
        if (this.role === 'doctor') await this.link.onAnswer(message.sdp)
        return
      case 'candidate':
        await this.link.onCandidate(message.candidate)
        return
      case 'chat':
        this.addChat(false, message.text, message.at)
        return
      case 'restart':
        if (this.role === 'doctor') await this.link.negotiate('restart')
        return
    }
  }

  private setPeerPresent(present: boolean): void {
    this.state.peerPresent = present
    this.noteBothPresent()
    this.watchdog.updateView()
  }

  private isOpenWithPeer(): boolean {
    return this.state.phase === 'open' && this.state.peerPresent
  }

  private noteBothPresent(): void {
    if (this.isOpenWithPeer()) {
      if (!this.bothPresentSince) this.bothPresentSince = Date.now()
      if (this.marks.bothPresent === null) this.marks.bothPresent = Date.now()
    } else {
      this.bothPresentSince = 0
    }
  }

  /** The room is open: the call begins (the camera is asked for if it is not on yet). */
  private async open(): Promise<void> {
    if (this.state.phase === 'open') return
    if (this.state.phase !== 'lobby') return
    this.state.phase = 'open'
    this.noteBothPresent()
    this.watchdog.updateView()
    await this.waitForMedia()
    this.prepare()
  }

  /** In the open room the connections are made ahead (peerLink.ts; an invited guest's, mesh.ts). */
  private prepare(): void {
    if (this.state.phase !== 'open' || this.destroyed || this.role === 'guest') return
    this.link.prepare()
    if (this.state.info && this.state.info.guest) this.mesh.prepare('guest')
  }

  private close(message: string, code = 'room_closed'): void {
    this.shutdown('closed')
    this.state.error = message
    this.state.errorCode = code
  }

  /**
   * Ends the call, the socket, the camera and every timer, then shows why:
   * "error" and "closed" as the phase (the caller adds the words), "left" as
   * the phase with the other one no longer shown, "destroyed" for good (the
   * page is gone: nothing that is still under way may start anything again).
   * The person leaving ("left", "destroyed") says "leave" to the server first.
   * Safe to call again, whatever came before.
   */
  shutdown(reason: ShutdownReason): void {
    if (reason === 'destroyed') this.destroyed = true
    this.link.close()
    this.mesh.close()
    if (this.signaling) this.signaling.stop(reason === 'left' || reason === 'destroyed')
    this.signaling = null
    this.media.stop()
    this.timers.forEach((timer) => clearTimeout(timer))
    this.timers = []
    this.watchdog.stop()
    if (reason === 'left') this.state.peerPresent = false
    if (reason !== 'destroyed') this.state.phase = reason
  }

  /** The front or the back camera (phones); the call sends the new one. */
  async switchCamera(): Promise<void> {
    const track = await this.media.switchCamera()
    if (track) await this.link.useVideoTrack(track)
  }

  sendChat(text: string): boolean {
    const trimmed = text.trim()
    if (!trimmed || this.state.phase !== 'open') return false
    if (!this.send({ action: 'chat', text: trimmed.slice(0, 2000) })) return false
    this.addChat(true, trimmed, new Date(Date.now() + this.state.offset).toISOString())
    return true
  }

  private addChat(mine: boolean, text: string, at: string): void {
    this.chatId += 1
    this.state.chat = this.state.chat.concat([{ id: this.chatId, mine, text, at }])
  }

  /** Leaves the call (the room stays open: the person may come back while it lasts). */
  hangUp(): void {
    this.shutdown('left')
  }

  /** Back into the room after hanging up: a fresh look and a fresh ticket. */
  rejoin(): void {
    this.state.phase = 'loading'
    void this.load()
  }

  markFirstRemoteFrame(): void {
    if (this.marks.firstRemoteFrame === null) this.marks.firstRemoteFrame = Date.now()
  }

  /** The call's numbers now (bitrates over the time since the previous call). */
  stats(): Promise<CallStats | null> {
    return this.link.stats()
  }

  private later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== timer)
      fn()
    }, ms)
    this.timers.push(timer)
  }

  destroy(): void {
    this.shutdown('destroyed')
  }
}
