import { vi } from 'vitest'

/** Stand-ins for what jsdom lacks: MediaStream, getUserMedia, RTCPeerConnection, and a WebSocket the test drives. */

export class FakeTrack {
  enabled = true
  readyState = 'live'
  constructor(
    readonly kind: 'audio' | 'video',
    private readonly settings: MediaTrackSettings = {},
  ) {}
  stop() {
    this.readyState = 'ended'
  }
  getSettings(): MediaTrackSettings {
    return this.settings
  }
}

export class FakeMediaStream {
  private readonly tracks: FakeTrack[]
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = tracks.slice()
  }
  getTracks() {
    return this.tracks.slice()
  }
  getAudioTracks() {
    return this.tracks.filter((track) => track.kind === 'audio')
  }
  getVideoTracks() {
    return this.tracks.filter((track) => track.kind === 'video')
  }
}

export class FakeSender {
  params: { encodings: Record<string, unknown>[]; degradationPreference?: string } = { encodings: [{}] }
  /** Preferences this "browser" refuses (as older ones refuse newer values). */
  static refused: string[] = []
  readonly setParameters = vi.fn(async (params: FakeSender['params']) => {
    if (params.degradationPreference && FakeSender.refused.indexOf(params.degradationPreference) !== -1) {
      throw new TypeError('unknown degradationPreference')
    }
    this.params = params
  })
  constructor(public track: FakeTrack | null) {}
  getParameters() {
    return JSON.parse(JSON.stringify(this.params))
  }
  async replaceTrack(track: FakeTrack | null) {
    this.track = track
  }
}

interface FakeTransceiver {
  sender: FakeSender
  receiver: { track: FakeTrack }
  direction: string
  currentDirection: string | null
}

let sessionCounter = 1000

export class FakePeerConnection {
  static instances: FakePeerConnection[] = []
  iceConnectionState = 'new'
  signalingState = 'stable'
  localDescription: { type: string; sdp: string } | null = null
  remoteDescription: { type: string; sdp: string } | null = null
  onicecandidate: ((event: { candidate: unknown }) => void) | null = null
  ontrack: ((event: { track: FakeTrack }) => void) | null = null
  oniceconnectionstatechange: (() => void) | null = null
  readonly transceivers: FakeTransceiver[] = []
  readonly offers: (RTCOfferOptions | undefined)[] = []
  readonly addedCandidates: unknown[] = []
  readonly session = String((sessionCounter += 1))
  closed = false
  /** Answers this connection refuses (a patient that started over). */
  rejectAnswers = false

  constructor(readonly config: RTCConfiguration) {
    FakePeerConnection.instances.push(this)
  }

  addTransceiver(trackOrKind: FakeTrack | string, init: { direction: string }) {
    const track = typeof trackOrKind === 'string' ? null : trackOrKind
    const kind = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind
    const transceiver = {
      sender: new FakeSender(track),
      receiver: { track: new FakeTrack(kind as 'audio' | 'video') },
      direction: init.direction,
      currentDirection: null,
    }
    this.transceivers.push(transceiver)
    return transceiver
  }

  addTrack(track: FakeTrack) {
    return this.addTransceiver(track, { direction: 'sendrecv' }).sender
  }

  getTransceivers() {
    return this.transceivers
  }

  getSenders() {
    return this.transceivers.map((transceiver) => transceiver.sender)
  }

  async createOffer(options?: RTCOfferOptions) {
    this.offers.push(options)
    return { type: 'offer', sdp: `v=0\r\no=- ${this.session} ${this.offers.length + 1} IN IP4 127.0.0.1\r\n` }
  }

  async createAnswer() {
    return { type: 'answer', sdp: `v=0\r\no=- ${this.session} 2 IN IP4 127.0.0.1\r\n` }
  }

  async setLocalDescription(description: { type: string; sdp: string }) {
    this.localDescription = description
    this.signalingState = description.type === 'offer' ? 'have-local-offer' : 'stable'
  }

  async setRemoteDescription(description: { type: string; sdp: string }) {
    if (description.type === 'answer' && this.rejectAnswers) throw new Error('Failed to set remote answer')
    this.remoteDescription = description
    if (description.type === 'offer') {
      this.signalingState = 'have-remote-offer'
      if (this.transceivers.length === 0) {
        this.addTransceiver('audio', { direction: 'recvonly' })
        this.addTransceiver('video', { direction: 'recvonly' })
      }
    } else {
      this.signalingState = 'stable'
    }
  }

  async addIceCandidate(candidate: unknown) {
    this.addedCandidates.push(candidate)
  }

  async getStats() {
    return new Map<string, unknown>()
  }

  close() {
    this.closed = true
    this.signalingState = 'closed'
  }

  /** The test moves ICE along. */
  setIce(state: string) {
    this.iceConnectionState = state
    if (this.oniceconnectionstatechange) this.oniceconnectionstatechange()
  }

  /** A candidate gathered here. */
  gather(candidate: string) {
    if (this.onicecandidate) this.onicecandidate({ candidate: { toJSON: () => ({ candidate, sdpMid: '0', sdpMLineIndex: 0 }) } })
  }

  static get last(): FakePeerConnection {
    return FakePeerConnection.instances[FakePeerConnection.instances.length - 1]
  }
}

export class FakeWebSocket {
  static instances: FakeWebSocket[] = []
  readyState = 0
  onopen: (() => void) | null = null
  onclose: (() => void) | null = null
  onerror: (() => void) | null = null
  onmessage: ((event: { data: string }) => void) | null = null
  readonly sent: Record<string, unknown>[] = []

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this)
  }

  send(data: string) {
    this.sent.push(JSON.parse(data))
  }

  close() {
    this.readyState = 3
  }

  /** The server accepts the connection. */
  open() {
    this.readyState = 1
    if (this.onopen) this.onopen()
  }

  /** A message from the server. */
  receive(message: Record<string, unknown>) {
    if (this.onmessage) this.onmessage({ data: JSON.stringify(message) })
  }

  /** The connection drops. */
  drop() {
    this.readyState = 3
    if (this.onclose) this.onclose()
  }

  actions(): string[] {
    return this.sent.map((message) => String(message.action))
  }

  static get last(): FakeWebSocket {
    return FakeWebSocket.instances[FakeWebSocket.instances.length - 1]
  }
}

/** Installs the fakes; `media` decides what getUserMedia gives (or the error it fails with). */
export function installCallFakes(media: { error?: string; video?: boolean } = {}) {
  FakePeerConnection.instances = []
  FakeWebSocket.instances = []
  FakeSender.refused = []
  vi.stubGlobal('MediaStream', FakeMediaStream)
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection)
  vi.stubGlobal('WebSocket', FakeWebSocket)
  const getUserMedia = vi.fn(async (constraints: MediaStreamConstraints) => {
    if (media.error) {
      const error = new Error('refused')
      error.name = media.error
      throw error
    }
    const tracks: FakeTrack[] = []
    if (constraints.audio) tracks.push(new FakeTrack('audio'))
    if (constraints.video && media.video !== false) tracks.push(new FakeTrack('video', { width: 1280, height: 720 }))
    return new FakeMediaStream(tracks)
  })
  const enumerateDevices = vi.fn(async () => [{ kind: 'videoinput', deviceId: 'cam-1' }, { kind: 'audioinput', deviceId: 'mic-1' }])
  Object.defineProperty(window.navigator, 'mediaDevices', {
    configurable: true,
    value: { getUserMedia, enumerateDevices },
  })
  vi.spyOn(window.HTMLMediaElement.prototype, 'play').mockImplementation(() => Promise.resolve())
  return { getUserMedia }
}

export function removeCallFakes() {
  Object.defineProperty(window.navigator, 'mediaDevices', { configurable: true, value: undefined })
}
