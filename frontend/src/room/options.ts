/** How the room page opens the session (its address), and why a session stops. */

export interface RoomOptions {
  roomId: string
  token: string | null
  /** `?relay=1`: only TURN relay candidates (tests, troubleshooting). */
  relay: boolean
  /** `?bitrate=`: a lower video cap than the server's. */
  bitrate: string | null
}

/** Why the session stops: the room could not be had, it closed, the person hung up, or the page is gone. */
export type ShutdownReason = 'error' | 'closed' | 'left' | 'destroyed'
