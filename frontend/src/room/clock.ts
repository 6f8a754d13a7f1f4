import { parseInstant } from '../dates'

/**
 * The room's times come from the server's clock, not the device's: a patient's
 * phone may be minutes off, and the consultation starts when the server (and
 * its timer) says so. `offset` is what to add to Date.now() to read the server's clock.
 */
export function clockOffset(serverTimeIso: string, receivedAt: number = Date.now()): number {
  const server = parseInstant(serverTimeIso)
  return server ? server.getTime() - receivedAt : 0
}

export function serverNow(offset: number, deviceNow: number = Date.now()): number {
  return deviceNow + offset
}

/** Milliseconds from the server's now to an instant (negative once it has passed); null if unreadable. */
export function msUntil(iso: string, offset: number, deviceNow: number = Date.now()): number | null {
  const at = parseInstant(iso)
  return at ? at.getTime() - serverNow(offset, deviceNow) : null
}

export interface CountdownParts {
  days: number
  hours: number
  minutes: number
  seconds: number
}

/** Whole days, hours, minutes and seconds left (all zero once the moment has come). */
export function countdownParts(ms: number): CountdownParts {
  const total = Math.max(0, Math.ceil(ms / 1000))
  return {
    days: Math.floor(total / 86400),
    hours: Math.floor((total % 86400) / 3600),
    minutes: Math.floor((total % 3600) / 60),
    seconds: total % 60,
  }
}

/** A delay for setTimeout until an instant by the server's clock, never beyond what timers can hold. */
export function delayUntil(iso: string, offset: number, deviceNow: number = Date.now()): number {
  const left = msUntil(iso, offset, deviceNow)
  if (left === null) return 60000
  return Math.min(Math.max(left, 0), 0x7fffffff)
}
