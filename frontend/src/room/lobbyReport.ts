import { onBeforeUnmount, onMounted, reactive, watch, type Ref } from 'vue'
import { ApiError, apiFetch } from '../api'
import type { components } from '../api-types'
import { roomPath } from './roomClient'
import type { RoomSession } from './session'

/**
 * The patient's side of the doctor's waiting queue: while the patient waits for the
 * doctor (the lobby, or the open room before the doctor comes), the page tells the
 * server so (PUT /rooms/{id}/waiting) with what the device check found, at once and
 * then every 15 s; the doctor's day page shows it. Leaving (the call begins, the page
 * is closed) says so at once (DELETE); a page that just vanishes drops out of the
 * queue 45 s after its last report.
 */

/** The body of PUT /rooms/{id}/waiting. */
export type LobbyFacts = Required<components['schemas']['WaitingReport']>
export type Found = LobbyFacts['camera']

export const HEARTBEAT_MS = 15000

/** The device check's upstream (DeviceCheck.vue notes each measurement; null: failed or not yet). */
const upstream = reactive<{ kbps: number | null }>({ kbps: null })

/** The server takes up to 10 Gbit/s; a measurement too quick to time (Infinity) is that much. */
const MAX_KBPS = 10000000

export function noteUpstream(kbps: number | null): void {
  upstream.kbps = kbps === null || isNaN(kbps) ? null : Math.min(MAX_KBPS, Math.round(kbps))
}

function found(state: RoomSession['state'], kind: 'video' | 'audio'): Found {
  if (state.media === 'failed') return 'no'
  if (state.media !== 'ready') return 'checking'
  const stream = state.localStream
  const tracks = stream ? (kind === 'video' ? stream.getVideoTracks() : stream.getAudioTracks()) : []
  return tracks.length > 0 ? 'yes' : 'no'
}

export function lobbyFacts(state: RoomSession['state'], kbps: number | null): LobbyFacts {
  return { camera: found(state, 'video'), microphone: found(state, 'audio'), network_kbps: kbps }
}

/** Waiting for the doctor: the patient (or their guest) in the lobby, or in the open room without the doctor yet. */
export function isWaiting(state: RoomSession['state']): boolean {
  const info = state.info
  const role: string = info ? info.role : ''
  if (role !== 'patient' && role !== 'guest') return false
  return state.phase === 'lobby' || (state.phase === 'open' && !state.peerPresent)
}

function headers(token: string | null): Record<string, string> {
  return token ? { 'X-Room-Token': token } : {}
}

/** Hooked from the room page: reports while `session` waits, and says when it stops. */
export function useLobbyReport(session: Ref<RoomSession>, token: () => string | null): void {
  let timer: ReturnType<typeof setInterval> | null = null
  let reported: string | null = null // the room reported last, until it is left
  let lastBody = ''
  let stopped = false

  function path(): string | null {
    const info = session.value.state.info
    return info ? `${roomPath({ roomId: info.room_id })}/waiting` : null
  }

  // One report at a time: two in flight could arrive out of order and leave the doctor
  // reading the older facts («проверяется») until the next heartbeat.
  let sending = false
  let again = false

  async function send() {
    if (sending) {
      again = true
      return
    }
    const state = session.value.state
    const where = path()
    if (stopped || !where || !isWaiting(state)) return
    const body = lobbyFacts(state, upstream.kbps)
    lastBody = JSON.stringify(body)
    sending = true
    try {
      await apiFetch(where, { method: 'PUT', body, headers: headers(token()) })
      reported = where
    } catch (error) {
      // Gone for good (a dead link, the room over): stop asking; anything else, the next heartbeat.
      if (error instanceof ApiError && (error.status === 404 || error.status === 410)) stopped = true
    } finally {
      sending = false
    }
    if (again) {
      again = false
      const now = session.value.state
      if (isWaiting(now) && JSON.stringify(lobbyFacts(now, upstream.kbps)) !== lastBody) await send()
    }
    // The waiting ended while this report was on its way: say so now that it has arrived.
    if (!isWaiting(session.value.state)) leave(false)
  }

  function leave(keepalive: boolean) {
    const where = reported
    reported = null
    lastBody = ''
    if (!where) return
    try {
      // keepalive: the request outlives the page being closed (pagehide).
      void fetch(`/api${where}`, {
        method: 'DELETE',
        credentials: 'same-origin',
        headers: { Accept: 'application/json', ...headers(token()) },
        keepalive,
        referrerPolicy: 'no-referrer',
      }).catch(() => undefined)
    } catch {
      // nothing to do: the queue forgets the patient 45 s later
    }
  }

  function onPageHide() {
    leave(true)
  }

  watch(
    () => {
      const state = session.value.state
      return isWaiting(state) ? JSON.stringify(lobbyFacts(state, upstream.kbps)) : ''
    },
    (facts) => {
      if (!facts) leave(false)
      else if (facts !== lastBody) void send()
    },
  )
  watch(session, () => {
    leave(false)
    stopped = false
  })

  onMounted(() => {
    timer = setInterval(() => void send(), HEARTBEAT_MS)
    window.addEventListener('pagehide', onPageHide)
  })
  onBeforeUnmount(() => {
    if (timer !== null) clearInterval(timer)
    window.removeEventListener('pagehide', onPageHide)
    leave(true)
  })
}
