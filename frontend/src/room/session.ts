import { shallowReactive } from 'vue'
import { ApiError, apiFetch } from '../api'
import { clockOffset, delayUntil, msUntil } from './clock'
import {
  AUDIO_MAX_BITRATE,
  DEFAULT_VIDEO,
  degradationPreferences,
  withStartBitrate,
  effectiveBitrate,
  mediaConstraints,
  videoEncoding,
  type VideoLimits,
} from './quality'
import { Signaling, type ClientMessage, type Role, type RoomStatus, type ServerMessage, type SignalingStatus } from './signaling'
import { summarize, type CallStats } from './stats'

/**
 * One participant's side of the video room: the room's state from the API and
 * the signaling socket, the camera and microphone, and the peer connection.
 *
 * The doctor makes the offers: when the room is open and the patient is there
 * (the answer to "join", "peer_joined", or "room_open"), and to recover the
 * connection (an ICE restart). The patient answers, and asks the doctor to
 * restart ICE when its side of the connection drops.
 */

export interface RoomInfo {
  room_id: string
  status: RoomStatus
  role: Role
  opens_at: string
  starts_at: string
  ends_at: string
  closes_at: string
  server_time: string
  doctor: { full_name: string; specialty?: string } | null
  patient?: { full_name: string } | null
  booking_id?: string | null
  /** To the patient only: this booking's own address for documents by email. */
  documents_address?: string | null
  video?: VideoLimits
  ice_servers: RTCIceServer[]
  signaling_url: string | null
}

export type Phase = 'loading' | 'error' | 'scheduled' | 'lobby' | 'open' | 'closed' | 'left'
export type MediaState = 'idle' | 'asking' | 'ready' | 'failed'
/** What the call looks like to the person: waiting for the other one, connecting, on, or recovering. */
export type ConnectionView = 'waiting' | 'connecting' | 'connected' | 'recovering'

export interface ChatMessage {
  id: number
  mine: boolean
  text: string
  /** ISO time (the server's for received messages). */
  at: string
}

export interface RoomOptions {
  roomId: string
  token: string | null
  /** `?relay=1`: only TURN relay candidates (tests, troubleshooting). */
  relay: boolean
  /** `?bitrate=`: a lower video cap than the server's. */
  bitrate: string | null
}

export interface RoomMarks {
  /** Epoch ms when the server first answered this side's "join". */
  joined: number | null
  /** Epoch ms when this side learned that both are present in the open room. */
  bothPresent: number | null
  /** Epoch ms of the first offer sent or received here, the first answer, the first ICE connection. */
  offer: number | null
  answer: number | null
  connected: number | null
  /** Epoch ms of the first frame of the other one's video shown here. */
  firstRemoteFrame: number | null
}

export interface RoomState {
  phase: Phase
  info: RoomInfo | null
  /** Add to Date.now() to read the server's clock. */
  offset: number
  error: string
  errorCode: string
  peerPresent: boolean
  signaling: SignalingStatus | 'off'
  iceState: string
  connection: ConnectionView
  media: MediaState
  mediaError: string
  localStream: MediaStream | null
  remoteStream: MediaStream | null
  micMuted: boolean
  cameraOff: boolean
  facing: 'user' | 'environment'
  cameraCount: number
  chat: ChatMessage[]
  bitrate: number
}

/** Time a connection may stay "disconnected" before it is restarted. */
const DISCONNECTED_GRACE = 2000
/** An offer without an answer for this long is made again. */
const OFFER_TIMEOUT = 4000
/** The patient asks again for a restart at most this often. */
const RESTART_REQUEST_EVERY = 4000
/** Not connected this long after both are present: the patient asks the doctor to start over. */
const CONNECT_TIMEOUT = 6000
/** Waiting for the camera permission never keeps the person out of the room longer than this. */
const MEDIA_WAIT = 10000
/** TURN credentials last 10 minutes: a new connection after this long asks the server for fresh ones. */
const ICE_SERVERS_LIFE = 5 * 60000

function sessionIdOf(sdp: string): string {
  const match = /^o=\S+ (\S+) /m.exec(sdp)
  return match ? match[1] : ''
}

function supportsTransceivers(): boolean {
  return typeof RTCPeerConnection !== 'undefined' && typeof RTCPeerConnection.prototype.addTransceiver === 'function'
}

function isHealthy(state: string): boolean {
  return state === 'connected' || state === 'completed'
}

export function roomPath(options: Pick<RoomOptions, 'roomId'>): string {
  return `/rooms/${encodeURIComponent(options.roomId)}`
}

export class RoomSession {
  readonly state: RoomState
  readonly marks: RoomMarks = { joined: null, bothPresent: null, offer: null, answer: null, connected: null, firstRemoteFrame: null }
  private readonly options: RoomOptions
  private signaling: Signaling | null = null
  private pcRef: RTCPeerConnection | null = null
  private pcCreatedAt = 0
  private remoteSession = ''
  private queuedCandidates: RTCIceCandidateInit[] = []
  /** This side's candidates wait until its offer or answer has gone: the SDP must not queue behind them. */
  private localCandidates: RTCIceCandidateInit[] | null = null
  private offerPendingSince = 0
  private offerSentAt = 0
  private peerLeftAt = 0
  /**
   * The current connection was made ahead, in the open room before the other
   * one came (gathering its candidates, and for the doctor with its offer set),
   * and nothing of it has been sent yet.
   */
  private prepared = false
  private infoAt = 0
  private restartAttempts = 0
  private lastRestartRequest = 0
  private unhealthySince = 0
  private bothPresentSince = 0
  private lastJoin = 0
  private chain: Promise<void> = Promise.resolve()
  private timers: ReturnType<typeof setTimeout>[] = []
  private watchdog: ReturnType<typeof setInterval> | null = null
  private mediaPromise: Promise<MediaStream | null> | null = null
  private lastStats: CallStats | null = null
  private chatId = 0
  private destroyed = false

  constructor(options: RoomOptions) {
    this.options = options
    this.state = shallowReactive<RoomState>({
      phase: 'loading',
      info: null,
      offset: 0,
      error: '',
      errorCode: '',
      peerPresent: false,
      signaling: 'off',
      iceState: 'new',
      connection: 'waiting',
      media: 'idle',
      mediaError: '',
      localStream: null,
      remoteStream: null,
      micMuted: false,
      cameraOff: false,
      facing: 'user',
      cameraCount: 0,
      chat: [],
      bitrate: effectiveBitrate(undefined, options.bitrate),
    })
  }

  get pc(): RTCPeerConnection | null {
    return this.pcRef
  }

  get role(): Role | null {
    return this.state.info ? this.state.info.role : null
  }

  // --- The room's state ---------------------------------------------------------------------

  private fetchRoom(): Promise<RoomInfo> {
    // The link's token goes in a header: a query string would be written to access logs.
    const headers: Record<string, string> = this.options.token ? { 'X-Room-Token': this.options.token } : {}
    return apiFetch<RoomInfo>(roomPath(this.options), { headers })
  }

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
      info = await this.fetchRoom()
    } catch (error) {
      if (this.destroyed) return
      const final = error instanceof ApiError && (error.code === 'room_closed' || error.status === 404)
      if (quietly && !final) {
        this.later(() => {
          if (this.state.phase === 'scheduled') void this.load(true)
        }, 5000)
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
    this.teardownCall()
    if (this.signaling) this.signaling.stop()
    this.signaling = null
    this.stopMedia()
    this.clearTimers()
    this.state.phase = 'error'
    this.state.error = error instanceof ApiError ? error.message : ''
    this.state.errorCode = error instanceof ApiError ? error.code : 'unexpected'
  }

  private apply(info: RoomInfo): void {
    this.state.info = info
    this.infoAt = Date.now()
    this.state.offset = clockOffset(info.server_time)
    this.state.bitrate = effectiveBitrate(info.video ? info.video.max_bitrate : undefined, this.options.bitrate)
    if (info.status === 'closed') {
      this.close('')
      return
    }
    if (info.status === 'scheduled') {
      this.state.phase = 'scheduled'
      this.scheduleRefresh(info)
      return
    }
    this.state.phase = info.status === 'open' ? 'open' : 'lobby'
    this.startWatchdog()
    void this.enterWithMedia(info.signaling_url)
  }

  /** Before the lobby opens there is no ticket yet: look again at its opening (server time), and now and then. */
  private scheduleRefresh(info: RoomInfo): void {
    const untilLobby = msUntil(info.opens_at, this.state.offset)
    const wait = untilLobby !== null && untilLobby <= 0 ? 3000 : Math.min(delayUntil(info.opens_at, this.state.offset) + 500, 60000)
    this.later(() => {
      if (this.state.phase === 'scheduled') void this.load(true)
    }, wait)
  }

  private async enterWithMedia(firstUrl: string | null): Promise<void> {
    // The camera first (within reason): the doctor offers as soon as both are present.
    await Promise.race([this.acquireMedia(), new Promise((resolve) => this.later(() => resolve(null), MEDIA_WAIT))])
    if (this.destroyed || (this.state.phase !== 'lobby' && this.state.phase !== 'open')) return
    this.prepare()
    this.connectSignaling(firstUrl)
  }

  private connectSignaling(firstUrl: string | null): void {
    if (this.signaling) return
    const signaling = new Signaling({
      firstUrl,
      getUrl: async () => {
        const info = await this.fetchRoom()
        this.state.info = info
        this.infoAt = Date.now()
        this.state.offset = clockOffset(info.server_time)
        if (!info.signaling_url) throw new Error('no signaling yet')
        return info.signaling_url
      },
      isFatal: (error) => error instanceof ApiError && (error.code === 'room_closed' || error.status === 404),
      onFatal: (error) => this.failLoad(error),
      onOpen: () => this.join(),
      onMessage: (message) => this.enqueue(() => this.onMessage(message)),
      onStatus: (status) => {
        this.state.signaling = status
        this.updateConnectionView()
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
    return this.signaling ? this.signaling.send(message) : false
  }

  /** Messages are handled one after another: an offer is answered before the candidates after it are added. */
  private enqueue(task: () => Promise<void> | void): void {
    this.chain = this.chain.then(task).catch((error: unknown) => {
      if (typeof console !== 'undefined') console.warn('room:', error instanceof Error ? error.message : error)
    })
  }

  private async onMessage(message: ServerMessage): Promise<void> {
    if (this.destroyed) return
    switch (message.type) {
      case 'state':
        if (this.marks.joined === null) this.marks.joined = Date.now()
        this.state.offset = clockOffset(message.server_time)
        this.setPeerPresent(message.peer_present)
        if (message.status === 'closed') return this.close('')
        if (message.status === 'open') await this.open()
        // The doctor calls a patient who is already here, or (back after a dropped socket) restarts a connection that broke.
        if (this.isOpenWithPeer() && this.role === 'doctor') {
          if (!this.pcRef || this.prepared) await this.negotiate('fresh')
          else if (this.unhealthySince) await this.negotiate('restart')
        }
        return
      case 'peer_joined':
        this.setPeerPresent(true)
        if (message.status === 'open') await this.open()
        // The patient may have reloaded the page: a new connection from scratch.
        if (this.isOpenWithPeer() && this.role === 'doctor') await this.negotiate('fresh')
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
        if (this.role === 'patient') await this.onOffer(message.sdp)
        return
      case 'answer':
        if (this.role === 'doctor') await this.onAnswer(message.sdp)
        return
      case 'candidate':
        await this.onCandidate(message.candidate)
        return
      case 'chat':
        this.addChat(false, message.text, message.at)
        return
      case 'restart':
        if (this.role === 'doctor') await this.negotiate('restart')
        return
    }
  }

  private setPeerPresent(present: boolean): void {
    this.state.peerPresent = present
    this.noteBothPresent()
    this.updateConnectionView()
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
    this.updateConnectionView()
    await Promise.race([this.acquireMedia(), new Promise((resolve) => this.later(() => resolve(null), MEDIA_WAIT))])
    this.prepare()
  }

  private close(message: string): void {
    this.teardownCall()
    if (this.signaling) this.signaling.stop()
    this.signaling = null
    this.stopMedia()
    this.clearTimers()
    this.state.phase = 'closed'
    this.state.error = message
    this.state.errorCode = 'room_closed'
  }

  // --- Camera and microphone ----------------------------------------------------------------

  get videoLimits(): VideoLimits {
    return (this.state.info && this.state.info.video) || DEFAULT_VIDEO
  }

  /** The camera and microphone, asked for once and shared by the device check and the call. */
  acquireMedia(): Promise<MediaStream | null> {
    const current = this.state.localStream
    if (current && current.getTracks().some((track) => track.readyState === 'live')) return Promise.resolve(current)
    if (this.mediaPromise) return this.mediaPromise
    const devices = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined
    if (!devices || typeof devices.getUserMedia !== 'function') {
      this.state.media = 'failed'
      this.state.mediaError = 'NotSupportedError'
      return Promise.resolve(null)
    }
    this.state.media = 'asking'
    const request = this.getMedia(devices)
      .then((stream) => {
        if (this.destroyed) {
          stream.getTracks().forEach((track) => track.stop())
          return null
        }
        this.state.localStream = stream
        this.state.media = 'ready'
        this.state.mediaError = ''
        this.applyToggles(stream)
        void this.countCameras()
        return stream
      })
      .catch((error: unknown) => {
        this.state.media = 'failed'
        this.state.mediaError = error && typeof error === 'object' && 'name' in error ? String((error as Error).name) : 'Error'
        return null
      })
      .then((stream) => {
        this.mediaPromise = null
        return stream
      })
    this.mediaPromise = request
    return request
  }

  /** Camera and microphone together; if that fails, whichever one works (a call with sound only is still a call). */
  private async getMedia(devices: MediaDevices): Promise<MediaStream> {
    const constraints = mediaConstraints(this.videoLimits, this.state.facing)
    try {
      return await devices.getUserMedia(constraints)
    } catch (error) {
      const name = error && typeof error === 'object' ? (error as Error).name : ''
      // Refused by the person: asking again for half of it would only bring the same refusal.
      if (name === 'NotAllowedError' || name === 'SecurityError') throw error
      try {
        return await devices.getUserMedia({ audio: constraints.audio })
      } catch {
        try {
          return await devices.getUserMedia({ video: constraints.video })
        } catch {
          throw error
        }
      }
    }
  }

  private async countCameras(): Promise<void> {
    const devices = navigator.mediaDevices
    if (!devices || typeof devices.enumerateDevices !== 'function') return
    try {
      const list = await devices.enumerateDevices()
      this.state.cameraCount = list.filter((device) => device.kind === 'videoinput').length
    } catch {
      this.state.cameraCount = 0
    }
  }

  stopMedia(): void {
    const stream = this.state.localStream
    if (stream) stream.getTracks().forEach((track) => track.stop())
    this.state.localStream = null
    this.state.media = 'idle'
  }

  private applyToggles(stream: MediaStream): void {
    stream.getAudioTracks().forEach((track) => {
      track.enabled = !this.state.micMuted
    })
    stream.getVideoTracks().forEach((track) => {
      track.enabled = !this.state.cameraOff
    })
  }

  toggleMic(): void {
    this.state.micMuted = !this.state.micMuted
    if (this.state.localStream) this.applyToggles(this.state.localStream)
  }

  toggleCamera(): void {
    this.state.cameraOff = !this.state.cameraOff
    if (this.state.localStream) this.applyToggles(this.state.localStream)
  }

  /** The front or the back camera (phones); the old one is stopped first, as some phones cannot open both. */
  async switchCamera(): Promise<void> {
    const stream = this.state.localStream
    const devices = navigator.mediaDevices
    if (!stream || !devices) return
    const next: 'user' | 'environment' = this.state.facing === 'user' ? 'environment' : 'user'
    const old = stream.getVideoTracks()[0]
    const oldDevice = old && old.getSettings ? old.getSettings().deviceId : undefined
    if (old) old.stop()
    const video = mediaConstraints(this.videoLimits, next).video as MediaTrackConstraints
    let fresh: MediaStream | null = null
    try {
      fresh = await devices.getUserMedia({ video: { ...video, facingMode: { exact: next } } })
    } catch {
      // Not a phone: take the next camera in the list instead.
      try {
        const cameras = (await devices.enumerateDevices()).filter((device) => device.kind === 'videoinput')
        const index = cameras.findIndex((device) => device.deviceId === oldDevice)
        const other = cameras[(index + 1) % cameras.length]
        fresh = await devices.getUserMedia({ video: { ...video, facingMode: undefined, deviceId: { exact: other.deviceId } } })
      } catch {
        fresh = await devices.getUserMedia({ video }).catch(() => null)
      }
    }
    if (!fresh) return
    const track = fresh.getVideoTracks()[0]
    this.state.facing = next
    const tracks = stream.getAudioTracks().concat([track])
    const updated = new MediaStream(tracks)
    this.state.localStream = updated
    this.applyToggles(updated)
    const pc = this.pcRef
    if (pc) {
      for (const sender of pc.getSenders()) {
        const kind = sender.track ? sender.track.kind : senderKind(pc, sender)
        if (kind === 'video') await sender.replaceTrack(track)
      }
      await this.applyLimits(pc)
    }
  }

  // --- The peer connection ------------------------------------------------------------------

  private newPc(): RTCPeerConnection {
    this.teardownCall()
    const info = this.state.info
    // The pool starts gathering (and TURN allocations) at once, before any description is set.
    const config: RTCConfiguration = { iceServers: info ? info.ice_servers : [], iceCandidatePoolSize: 1 }
    if (this.options.relay) config.iceTransportPolicy = 'relay'
    const pc = new RTCPeerConnection(config)
    this.pcRef = pc
    this.prepared = false
    this.pcCreatedAt = Date.now()
    this.queuedCandidates = []
    this.localCandidates = []
    this.offerPendingSince = 0
    this.unhealthySince = 0
    this.state.iceState = pc.iceConnectionState
    this.state.remoteStream = null
    pc.onicecandidate = (event) => {
      if (this.pcRef !== pc || !event.candidate) return
      const candidate = event.candidate
      const init: RTCIceCandidateInit =
        typeof candidate.toJSON === 'function'
          ? candidate.toJSON()
          : { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex }
      if (this.localCandidates) this.localCandidates.push(init)
      else this.send({ action: 'candidate', candidate: init })
    }
    pc.ontrack = (event) => {
      if (this.pcRef !== pc) return
      const current = this.state.remoteStream ? this.state.remoteStream.getTracks() : []
      if (current.indexOf(event.track) !== -1) return
      // A new stream object each time, so that the video element takes up the added track.
      this.state.remoteStream = new MediaStream(current.concat([event.track]))
    }
    pc.oniceconnectionstatechange = () => {
      if (this.pcRef !== pc) return
      const state = pc.iceConnectionState
      this.state.iceState = state
      if (isHealthy(state)) {
        if (this.marks.connected === null) this.marks.connected = Date.now()
        this.unhealthySince = 0
        this.restartAttempts = 0
      } else if ((state === 'disconnected' || state === 'failed') && !this.unhealthySince) {
        this.unhealthySince = Date.now()
      }
      if (state === 'failed') this.recover()
      this.updateConnectionView()
    }
    return pc
  }

  /**
   * In the open room, before the other one is here: the connection is made
   * ahead, and the doctor's offer set, so that the call starts the moment both
   * are present (the offer then carries the gathered candidates in itself).
   */
  private prepare(): void {
    if (this.pcRef || this.state.phase !== 'open' || this.destroyed || typeof RTCPeerConnection === 'undefined') return
    const pc = this.newPc()
    this.prepared = true
    if (this.role !== 'doctor') return
    this.addLocalTracks(pc)
    this.enqueue(async () => {
      if (this.pcRef !== pc || !this.prepared || pc.localDescription) return
      const offer = await pc.createOffer()
      if (this.pcRef === pc && this.prepared) await pc.setLocalDescription(offer)
    })
  }

  /** A new connection needs TURN credentials that will not expire during it. */
  private async refreshIceServers(): Promise<void> {
    if (Date.now() - this.infoAt < ICE_SERVERS_LIFE) return
    try {
      const info = await this.fetchRoom()
      this.state.info = info
      this.infoAt = Date.now()
    } catch {
      // the ones in hand may still work
    }
  }

  private teardownCall(): void {
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
    this.state.remoteStream = null
    this.state.iceState = 'new'
  }

  private addLocalTracks(pc: RTCPeerConnection): void {
    const stream = this.state.localStream
    if (supportsTransceivers()) {
      for (const kind of ['audio', 'video']) {
        const track = stream ? stream.getTracks().filter((t) => t.kind === kind)[0] : undefined
        if (track && stream) pc.addTransceiver(track, { direction: 'sendrecv', streams: [stream] })
        else pc.addTransceiver(kind, { direction: 'recvonly' })
      }
    } else if (stream) {
      stream.getTracks().forEach((track) => pc.addTrack(track, stream))
    }
  }

  /** The patient puts its camera and microphone on the transceivers the doctor's offer made. */
  private async attachToOffer(pc: RTCPeerConnection): Promise<void> {
    const stream = this.state.localStream
    if (!stream) return
    if (supportsTransceivers() && typeof pc.getTransceivers === 'function') {
      for (const transceiver of pc.getTransceivers()) {
        if (transceiver.sender.track || transceiver.currentDirection === 'stopped') continue
        const kind = transceiver.receiver.track.kind
        const track = stream.getTracks().filter((t) => t.kind === kind)[0]
        if (!track) continue
        await transceiver.sender.replaceTrack(track)
        transceiver.direction = 'sendrecv'
      }
    } else if (pc.getSenders().length === 0) {
      stream.getTracks().forEach((track) => pc.addTrack(track, stream))
    }
  }

  /** Caps the video (and the sound) the encoder may send; see quality.ts for the choice. */
  private async applyLimits(pc: RTCPeerConnection): Promise<void> {
    for (const sender of pc.getSenders()) {
      const track = sender.track
      if (!track || typeof sender.getParameters !== 'function' || typeof sender.setParameters !== 'function') continue
      if (track.kind !== 'video') {
        await setEncoding(sender, { maxBitrate: AUDIO_MAX_BITRATE }, null)
        continue
      }
      const settings = typeof track.getSettings === 'function' ? track.getSettings() : {}
      const wanted = videoEncoding(this.state.bitrate, settings.height || 0)
      // The best the browser takes: each preference in turn, then no preference, then the bitrate cap alone.
      let done = false
      for (const preference of degradationPreferences(this.state.bitrate).concat([''])) {
        if (await setEncoding(sender, wanted, preference || null)) {
          done = true
          break
        }
      }
      if (!done) await setEncoding(sender, { maxBitrate: wanted.maxBitrate }, null)
    }
  }

  /**
   * The doctor's offer. "fresh" is a new connection (the patient has just come
   * or come back); "restart" restarts ICE on the current one (after two restarts
   * that did not help, or without an answered offer, it starts over instead).
   */
  private async negotiate(kind: 'fresh' | 'restart'): Promise<void> {
    if (this.role !== 'doctor' || !this.isOpenWithPeer() || !this.signaling || !this.signaling.isOpen) return
    if (this.state.media === 'asking') await this.acquireMedia()
    const now = Date.now()
    let pc = this.pcRef
    if (pc && this.prepared) {
      if (now - this.pcCreatedAt < ICE_SERVERS_LIFE) return this.sendPrepared(pc)
      kind = 'fresh'
    }
    if (kind === 'fresh' && pc && now - this.offerSentAt < 3000 && this.offerSentAt > this.peerLeftAt && pc.iceConnectionState !== 'failed') {
      // The same arrival told twice ("state" and "peer_joined" after the opening): one offer is enough.
      return
    }
    if (kind === 'restart' && this.offerPendingSince && now - this.offerPendingSince < OFFER_TIMEOUT) return
    if (kind === 'restart' && (!pc || !pc.remoteDescription || this.restartAttempts >= 2)) kind = 'fresh'
    if (kind === 'fresh' || !pc) {
      await this.refreshIceServers()
      pc = this.newPc()
      this.addLocalTracks(pc)
    } else {
      this.restartAttempts += 1
    }
    const offer = await pc.createOffer(kind === 'restart' ? { iceRestart: true } : {})
    if (this.pcRef !== pc) return
    this.localCandidates = this.localCandidates || []
    await pc.setLocalDescription(offer)
    if (this.pcRef !== pc) return
    this.offerPendingSince = this.offerSentAt = Date.now()
    if (this.marks.offer === null) this.marks.offer = Date.now()
    this.sendDescription({ action: 'offer', sdp: offer.sdp || '' })
    await this.applyLimits(pc)
    this.updateConnectionView()
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
    this.offerPendingSince = this.offerSentAt = Date.now()
    if (this.marks.offer === null) this.marks.offer = Date.now()
    this.sendDescription({ action: 'offer', sdp: pc.localDescription.sdp })
    await this.applyLimits(pc)
    this.updateConnectionView()
  }

  /** The offer or answer first, then the candidates gathered meanwhile. */
  private sendDescription(message: ClientMessage): void {
    this.send(message)
    const pending = this.localCandidates || []
    this.localCandidates = null
    pending.forEach((candidate) => this.send({ action: 'candidate', candidate }))
  }

  private async onAnswer(sdp: string): Promise<void> {
    const pc = this.pcRef
    if (!pc || pc.signalingState !== 'have-local-offer') return
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp: withStartBitrate(sdp, this.state.bitrate) })
    } catch {
      // An answer this connection cannot take (the patient started over): start over too.
      this.offerPendingSince = 0
      await this.negotiate('fresh')
      return
    }
    this.offerPendingSince = 0
    if (this.marks.answer === null) this.marks.answer = Date.now()
    await this.flushCandidates(pc)
  }

  private async onOffer(sdp: string): Promise<void> {
    // The server relays offers only in an open room: this one may have overtaken "room_open".
    if (this.state.phase === 'lobby') await this.open()
    if (this.state.phase !== 'open') return
    if (this.state.media === 'asking') await this.acquireMedia()
    if (this.marks.offer === null) this.marks.offer = Date.now()
    const session = sessionIdOf(sdp)
    let pc = this.pcRef
    // An offer from a new connection of the doctor's (a reload) needs a new one here; an ICE restart does not.
    const ahead = !!pc && this.prepared && !pc.remoteDescription && pc.signalingState === 'stable'
    if (!ahead && (!pc || pc.signalingState === 'closed' || session !== this.remoteSession)) {
      await this.refreshIceServers()
      pc = this.newPc()
    }
    if (!pc) return
    this.prepared = false
    this.remoteSession = session
    await pc.setRemoteDescription({ type: 'offer', sdp: withStartBitrate(sdp, this.state.bitrate) })
    await this.attachToOffer(pc)
    const answer = await pc.createAnswer()
    if (this.pcRef !== pc) return
    this.localCandidates = this.localCandidates || []
    await pc.setLocalDescription(answer)
    if (this.pcRef !== pc) return
    if (this.marks.answer === null) this.marks.answer = Date.now()
    this.sendDescription({ action: 'answer', sdp: answer.sdp || '' })
    await this.applyLimits(pc)
    await this.flushCandidates(pc)
    this.updateConnectionView()
  }

  private async onCandidate(candidate: RTCIceCandidateInit): Promise<void> {
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

  /** The connection dropped: the doctor restarts ICE, the patient asks the doctor to. */
  private recover(): void {
    if (!this.isOpenWithPeer()) return
    if (this.signaling && !this.signaling.isOpen) return // the socket comes back first; its "state" answer continues
    if (this.role === 'doctor') {
      this.enqueue(() => this.negotiate('restart'))
    } else {
      const now = Date.now()
      if (now - this.lastRestartRequest < RESTART_REQUEST_EVERY) return
      this.lastRestartRequest = now
      this.send({ action: 'restart' })
    }
  }

  private startWatchdog(): void {
    if (this.watchdog !== null) return
    this.watchdog = setInterval(() => this.tick(), 1000)
  }

  /** Once a second: restart what has been down too long, and catch an opening that was missed. */
  private tick(): void {
    if (this.destroyed) return
    const now = Date.now()
    const info = this.state.info
    if (this.state.phase === 'lobby' && info && this.signaling && this.signaling.isOpen) {
      const sinceStart = msUntil(info.starts_at, this.state.offset)
      if (sinceStart !== null && sinceStart < -5000 && now - this.lastJoin > 10000) this.join()
    }
    if (!this.isOpenWithPeer() || !this.signaling || !this.signaling.isOpen) {
      this.updateConnectionView()
      return
    }
    const pc = this.pcRef
    if (this.unhealthySince && now - this.unhealthySince >= DISCONNECTED_GRACE) {
      this.recover()
    } else if (this.role === 'doctor' && this.offerPendingSince && now - this.offerPendingSince >= OFFER_TIMEOUT) {
      this.enqueue(() => this.negotiate('restart'))
    } else if (
      (!pc || !isHealthy(pc.iceConnectionState)) &&
      this.bothPresentSince &&
      now - this.bothPresentSince >= CONNECT_TIMEOUT &&
      (!pc || now - this.pcCreatedAt >= CONNECT_TIMEOUT)
    ) {
      if (this.role === 'doctor') this.enqueue(() => this.negotiate(pc ? 'restart' : 'fresh'))
      else this.recover()
    }
    this.updateConnectionView()
  }

  private updateConnectionView(): void {
    const pc = this.pcRef
    let view: ConnectionView
    if (pc && isHealthy(pc.iceConnectionState)) view = 'connected'
    else if (!this.state.peerPresent) view = 'waiting'
    else if (this.unhealthySince || this.restartAttempts > 0 || this.state.signaling === 'reconnecting') view = 'recovering'
    else view = 'connecting'
    if (this.state.connection !== view) this.state.connection = view
  }

  // --- Chat, hanging up, the end ------------------------------------------------------------

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
    this.teardownCall()
    if (this.signaling) this.signaling.stop(true)
    this.signaling = null
    this.stopMedia()
    this.clearTimers()
    this.state.peerPresent = false
    this.state.phase = 'left'
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
  async stats(): Promise<CallStats | null> {
    const pc = this.pcRef
    if (!pc) return null
    const report = await pc.getStats()
    const previous = this.lastStats
    const summary = summarize(report, previous)
    this.lastStats = summary
    return summary
  }

  private later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== timer)
      fn()
    }, ms)
    this.timers.push(timer)
  }

  private clearTimers(): void {
    this.timers.forEach((timer) => clearTimeout(timer))
    this.timers = []
    if (this.watchdog !== null) clearInterval(this.watchdog)
    this.watchdog = null
  }

  destroy(): void {
    this.destroyed = true
    this.teardownCall()
    if (this.signaling) this.signaling.stop(true)
    this.signaling = null
    this.stopMedia()
    this.clearTimers()
  }
}

/** Sets the first encoding's limits (and the degradation preference); false if the browser refused. */
async function setEncoding(
  sender: RTCRtpSender,
  limits: { maxBitrate: number; maxFramerate?: number; scaleResolutionDownBy?: number },
  preference: string | null,
): Promise<boolean> {
  try {
    const params = sender.getParameters()
    if (!params.encodings || params.encodings.length === 0) params.encodings = [{}]
    const encoding = params.encodings[0] as RTCRtpEncodingParameters & { maxFramerate?: number }
    encoding.maxBitrate = limits.maxBitrate
    if (limits.maxFramerate !== undefined) encoding.maxFramerate = limits.maxFramerate
    if (limits.scaleResolutionDownBy !== undefined) encoding.scaleResolutionDownBy = limits.scaleResolutionDownBy
    // The DOM typings know fewer preferences than browsers do ("maintain-framerate-and-resolution").
    if (preference) (params as { degradationPreference?: string }).degradationPreference = preference
    await sender.setParameters(params)
    return true
  } catch {
    return false
  }
}

function senderKind(pc: RTCPeerConnection, sender: RTCRtpSender): string {
  if (typeof pc.getTransceivers !== 'function') return ''
  for (const transceiver of pc.getTransceivers()) {
    if (transceiver.sender === sender) return transceiver.receiver.track.kind
  }
  return ''
}
