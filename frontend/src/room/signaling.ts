/**
 * The room's signaling WebSocket. Every (re)connection needs a fresh
 * single-use ticket, so the URL is asked for each time (GET /api/rooms/{id}).
 * A dropped socket is reconnected with a short back-off until stop() is called
 * or `getUrl` says there is nothing to reconnect to. When the page is closed
 * (or navigated away from), "leave" goes out before the socket closes, so the
 * other one is told at once rather than when the server notices the socket gone.
 */

export type RoomStatus = 'scheduled' | 'lobby' | 'open' | 'closed'
export type Role = 'patient' | 'doctor' | 'guest'

export type ServerMessage =
  | { type: 'state'; status: RoomStatus; role: Role; peer_present: boolean; present?: Role[]; server_time: string }
  | { type: 'peer_joined'; role: Role; status: RoomStatus }
  | { type: 'peer_left'; role: Role; reason?: string }
  | { type: 'room_open'; server_time: string }
  | { type: 'room_closed'; reason?: string }
  | { type: 'offer'; from: Role; to?: Role; sdp: string }
  | { type: 'answer'; from: Role; to?: Role; sdp: string }
  | { type: 'candidate'; from: Role; to?: Role; candidate: RTCIceCandidateInit }
  | { type: 'chat'; from: Role; to?: Role; text: string; at: string }
  | { type: 'restart'; from: Role; to?: Role }
  | { type: 'error'; code: string }

export type ClientMessage =
  | { action: 'join' }
  | { action: 'leave' }
  | { action: 'offer'; sdp: string; to?: Role }
  | { action: 'answer'; sdp: string; to?: Role }
  | { action: 'candidate'; candidate: RTCIceCandidateInit; to?: Role }
  | { action: 'chat'; text: string }
  | { action: 'restart'; to?: Role }
  /** The doctor removed the guest (POST /rooms/{id}/guest/remove): the server tells the guest's page now. */
  | { action: 'guest_removed' }

export type SignalingStatus = 'connecting' | 'open' | 'reconnecting' | 'stopped'

export interface SignalingOptions {
  /** A fresh signaling URL (with its ticket); throw to stop reconnecting (e.g. the room is closed). */
  getUrl: () => Promise<string>
  /** The URL already in hand for the first connection, if any. */
  firstUrl?: string | null
  onOpen: () => void
  onMessage: (message: ServerMessage) => void
  onStatus?: (status: SignalingStatus) => void
  /** `getUrl` threw something that means "stop" (it decides by returning true). */
  isFatal?: (error: unknown) => boolean
  onFatal?: (error: unknown) => void
  createSocket?: (url: string) => WebSocket
  /** Milliseconds to wait before the n-th reconnection attempt (the last one repeats). */
  retryDelays?: number[]
  /** A socket that has not opened in this long is given up and tried again. */
  openTimeout?: number
}

const OPEN = 1

export function isServerMessage(value: unknown): value is ServerMessage {
  return !!value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string'
}

export class Signaling {
  private socket: WebSocket | null = null
  private stopped = false
  private attempt = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  private openTimer: ReturnType<typeof setTimeout> | null = null
  private nextUrl: string | null
  private readonly options: SignalingOptions

  constructor(options: SignalingOptions) {
    this.options = options
    this.nextUrl = options.firstUrl || null
  }

  get isOpen(): boolean {
    return !!this.socket && this.socket.readyState === OPEN
  }

  start(): void {
    this.stopped = false
    if (typeof window !== 'undefined') window.addEventListener('pagehide', this.onPageHide)
    this.status('connecting')
    void this.connect()
  }

  send(message: ClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false
    try {
      this.socket.send(JSON.stringify(message))
      return true
    } catch {
      return false
    }
  }

  private readonly onPageHide = (): void => this.stop(true)

  /** Closes for good; says "leave" first when asked to and able to (a send is flushed before the close frame). */
  stop(leave = false): void {
    if (typeof window !== 'undefined') window.removeEventListener('pagehide', this.onPageHide)
    if (leave) this.send({ action: 'leave' })
    this.stopped = true
    this.clearTimers()
    const socket = this.socket
    this.socket = null
    if (socket) {
      socket.onopen = socket.onclose = socket.onerror = socket.onmessage = null
      try {
        socket.close()
      } catch {
        // already closed
      }
    }
    this.status('stopped')
  }

  /** Drops the current socket and connects again now (e.g. it looks dead). */
  reconnectNow(): void {
    if (this.stopped) return
    this.attempt = 0
    this.dropSocket()
    this.scheduleReconnect(0)
  }

  private status(status: SignalingStatus): void {
    if (this.options.onStatus) this.options.onStatus(status)
  }

  private clearTimers(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    if (this.openTimer !== null) clearTimeout(this.openTimer)
    this.timer = null
    this.openTimer = null
  }

  private dropSocket(): void {
    const socket = this.socket
    this.socket = null
    if (this.openTimer !== null) clearTimeout(this.openTimer)
    this.openTimer = null
    if (!socket) return
    socket.onopen = socket.onclose = socket.onerror = socket.onmessage = null
    try {
      socket.close()
    } catch {
      // already closed
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return
    let url = this.nextUrl
    this.nextUrl = null
    if (!url) {
      try {
        url = await this.options.getUrl()
      } catch (error) {
        if (this.stopped) return
        if (this.options.isFatal && this.options.isFatal(error)) {
          this.stop()
          if (this.options.onFatal) this.options.onFatal(error)
          return
        }
        this.scheduleReconnect()
        return
      }
      if (this.stopped) return
    }
    let socket: WebSocket
    try {
      socket = this.options.createSocket ? this.options.createSocket(url) : new WebSocket(url)
    } catch {
      this.scheduleReconnect()
      return
    }
    this.socket = socket
    this.openTimer = setTimeout(() => {
      if (this.socket === socket && socket.readyState !== OPEN) {
        this.dropSocket()
        this.scheduleReconnect()
      }
    }, this.options.openTimeout || 10000)
    socket.onopen = () => {
      if (this.socket !== socket) return
      if (this.openTimer !== null) clearTimeout(this.openTimer)
      this.openTimer = null
      this.attempt = 0
      this.status('open')
      this.options.onOpen()
    }
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket) return
      let parsed: unknown
      try {
        parsed = JSON.parse(String(event.data))
      } catch {
        return
      }
      if (isServerMessage(parsed)) this.options.onMessage(parsed)
    }
    socket.onclose = () => {
      if (this.socket !== socket) return
      this.socket = null
      this.scheduleReconnect()
    }
    // An error is followed by close; nothing to do here but keep the console quiet.
    socket.onerror = () => undefined
  }

  private scheduleReconnect(delay?: number): void {
    if (this.stopped) return
    this.status('reconnecting')
    const delays = this.options.retryDelays || [300, 1000, 2000, 3000]
    const wait = delay !== undefined ? delay : delays[Math.min(this.attempt, delays.length - 1)]
    this.attempt += 1
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.connect()
    }, wait)
  }
}
