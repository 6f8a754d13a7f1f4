import { ApiError, apiFetch } from '../api'
import { clockOffset } from './clock'
import type { RoomInfo, RoomState } from './roomState'

/**
 * The room's state from the API (GET /api/rooms/{id}): what the page shows,
 * the server's clock, the ICE servers (TURN credentials) and each signaling
 * ticket. The link's token goes in a header: a query string would be written
 * to access logs.
 */

/** TURN credentials last 10 minutes: a new connection after this long asks the server for fresh ones. */
export const ICE_SERVERS_LIFE = 5 * 60000

export function roomPath(options: { roomId: string }): string {
  return `/rooms/${encodeURIComponent(options.roomId)}`
}

/** The code a room page gets for a consultation that is over before the close (never a camera, never a call). */
export const CONSULTATION_ENDED = 'consultation_ended'

/** An answer that means the room is gone for this person: looking again would not help. */
export function isFinalRoomError(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.code === 'room_closed' || error.code === CONSULTATION_ENDED || error.status === 404)
  )
}

/** The doctor ends the consultation (POST /rooms/{id}/end; ending an ended one changes nothing). */
export function endConsultation(roomId: string): Promise<unknown> {
  return apiFetch(`${roomPath({ roomId })}/end`, { method: 'POST', body: {} })
}

/** The doctor goes back into a consultation he ended by mistake (while nothing is signed and the room is open). */
export function reopenConsultation(roomId: string): Promise<unknown> {
  return apiFetch(`${roomPath({ roomId })}/reopen`, { method: 'POST', body: {} })
}

export class RoomClient {
  /** Epoch ms of the last answer (its ICE servers' age). */
  private infoAt = 0

  constructor(
    private readonly state: RoomState,
    private readonly options: { roomId: string; token: string | null },
  ) {}

  /**
   * The room now. An ended consultation is kept as the room's info (the page shows who, and the conclusion)
   * and comes back as a final `consultation_ended` error: whoever loads the room stops there, before any
   * camera, ticket or call.
   */
  async fetch(): Promise<RoomInfo> {
    const headers: Record<string, string> = this.options.token ? { 'X-Room-Token': this.options.token } : {}
    const info = await apiFetch<RoomInfo>(roomPath(this.options), { headers })
    if (info.status === 'ended') {
      this.take(info)
      throw new ApiError(200, CONSULTATION_ENDED, '')
    }
    return info
  }

  /** Keeps an answer; `withClock`: its server time sets the clock too. */
  take(info: RoomInfo, withClock = true): void {
    this.state.info = info
    this.infoAt = Date.now()
    if (withClock) this.state.offset = clockOffset(info.server_time)
  }

  /** A fresh signaling address with its single-use ticket (throws while the room has none). */
  async signalingUrl(): Promise<string> {
    const info = await this.fetch()
    this.take(info)
    if (!info.signaling_url) throw new Error('no signaling yet')
    return info.signaling_url
  }

  /** A new connection needs TURN credentials that will not expire during it. */
  async refreshIceServers(): Promise<void> {
    if (Date.now() - this.infoAt < ICE_SERVERS_LIFE) return
    try {
      this.take(await this.fetch(), false)
    } catch {
      // the ones in hand may still work
    }
  }
}
