import { ref } from 'vue'

/**
 * When the signed-in session ends by itself (server: 30 minutes without a request, 12 hours at most), so
 * that the page warns in time and lets the person continue (WCAG 2.2.1). The server says which answers
 * restarted the idle clock (header X-Session-Seen); the limits come with GET /session.
 */
export interface SessionLimits {
  idleSeconds: number
  touchSeconds: number
  /** The hard end, ms since the epoch. */
  endsAt: number
}

export interface SessionEnd {
  at: number
  reason: 'idle' | 'limit'
}

/** How long before the end the warning shows: time enough to read it and press «Продолжить». */
export const WARN_BEFORE_MS = 3 * 60 * 1000

export const limits = ref<SessionLimits | null>(null)
export const lastSeen = ref(0)

export function noteLimits(
  answer: { idle_seconds: number; touch_seconds: number; ends_at: string } | null | undefined,
  at: number = Date.now(),
): void {
  if (!answer) {
    limits.value = null
    return
  }
  const endsAt = Date.parse(answer.ends_at)
  limits.value = { idleSeconds: answer.idle_seconds, touchSeconds: answer.touch_seconds, endsAt }
  lastSeen.value = at
}

/** An answer that restarted the session's idle clock. */
export function noteSeen(at: number = Date.now()): void {
  lastSeen.value = at
}

/**
 * The earlier of the idle end and the hard end. The server moves its idle clock at most once per
 * `touchSeconds`, so the idle end is counted from that much before the last answer that saw the session.
 */
export function sessionEnd(current: SessionLimits, seenAt: number): SessionEnd {
  const idleEnd = seenAt - current.touchSeconds * 1000 + current.idleSeconds * 1000
  return idleEnd < current.endsAt ? { at: idleEnd, reason: 'idle' } : { at: current.endsAt, reason: 'limit' }
}
