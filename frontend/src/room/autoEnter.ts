import { onMounted, onUnmounted, watch, type Ref } from 'vue'
import { useRouter } from 'vue-router'
import { parseInstant } from '../dates'
import { readStored, writeStored } from '../storage'

/**
 * The seed: "at the appointed time the specialist connects automatically". The
 * doctor's day page looks at the day's consultations every 10 seconds and, when
 * one's waiting room is open (from 10 minutes before its start until its end),
 * takes the doctor into that room, once per room: a doctor who has left a room
 * and come back to the list is not pulled into it again (the button is there).
 */

/**
 * The room's own window comes with each consultation (`room_opens_at`, `room_closes_at`); these are the
 * server's defaults (ROOM_LOBBY_MINUTES, ROOM_GRACE_MINUTES), for a consultation listed without them.
 */
export const LOBBY_MINUTES = 10
export const GRACE_MINUTES = 15
export const POLL_MS = 10000
const STORAGE_KEY = 'telemed.roomsEntered'

export interface RoomItem {
  status: string
  starts_at: string
  ends_at: string
  room_id?: string | null
  room_opens_at?: string | null
  room_closes_at?: string | null
}

function opensAt(item: RoomItem, start: Date): number {
  const opens = item.room_opens_at ? parseInstant(item.room_opens_at) : null
  return opens ? opens.getTime() : start.getTime() - LOBBY_MINUTES * 60000
}

function closesAt(item: RoomItem): number | null {
  const closes = item.room_closes_at ? parseInstant(item.room_closes_at) : null
  if (closes) return closes.getTime()
  const end = parseInstant(item.ends_at)
  return end ? end.getTime() + GRACE_MINUTES * 60000 : null
}

/** A paid consultation (or one under way) with a room that is not over: the doctor may go in. */
export function canEnterRoom(item: RoomItem, now: number = Date.now()): boolean {
  if (!item.room_id || (item.status !== 'paid' && item.status !== 'in_progress')) return false
  const closes = closesAt(item)
  return closes === null || now < closes
}

/**
 * The room to take the doctor into now, or null. When two windows overlap (the
 * last minutes of one consultation, the waiting room of the next), the later
 * one: the doctor is on this page, so the earlier one is behind them.
 */
export function roomToEnter(items: readonly RoomItem[], now: number, alreadyEntered: readonly string[]): string | null {
  let best: { room: string; start: number } | null = null
  for (const item of items) {
    if (!canEnterRoom(item, now) || alreadyEntered.indexOf(item.room_id as string) !== -1) continue
    const start = parseInstant(item.starts_at)
    const end = parseInstant(item.ends_at)
    if (!start || !end) continue
    if (now < opensAt(item, start) || now >= end.getTime()) continue
    if (!best || start.getTime() > best.start) best = { room: item.room_id as string, start: start.getTime() }
  }
  return best ? best.room : null
}

export function enteredRooms(): string[] {
  try {
    const parsed: unknown = JSON.parse(readStored(STORAGE_KEY) || '[]')
    return Array.isArray(parsed) ? parsed.filter((value): value is string => typeof value === 'string') : []
  } catch {
    return []
  }
}

export function rememberEntered(roomId: string): void {
  const rooms = enteredRooms().filter((room) => room !== roomId)
  rooms.push(roomId)
  writeStored(STORAGE_KEY, JSON.stringify(rooms.slice(-50)))
}

/**
 * Polls with `reload` every 10 s while `active()` (today's list, doctor role)
 * and goes into the room that is due.
 */
export function useAutoEnter(items: Ref<readonly RoomItem[]>, active: () => boolean, reload: () => Promise<void>): void {
  const router = useRouter()
  let timer: ReturnType<typeof setInterval> | null = null
  let leaving = false

  function check() {
    if (leaving || !active()) return
    const room = roomToEnter(items.value, Date.now(), enteredRooms())
    if (!room) return
    leaving = true
    rememberEntered(room)
    void router.push({ name: 'room', params: { roomId: room } })
  }

  watch(items, check)
  onMounted(() => {
    timer = setInterval(() => {
      if (active()) void reload().then(check)
    }, POLL_MS)
  })
  onUnmounted(() => {
    if (timer !== null) clearInterval(timer)
  })
}
