import type { components } from './api-types'

/**
 * The doctor's alert when a patient enters the waiting room: a short beep made by
 * WebAudio (no sound file to download) and, where the doctor allowed it, the
 * browser's notification. Browsers let a page make sound and ask for notifications
 * only after a click: «Включить уведомления» does both.
 */

/** A row of GET /doctor/waiting. */
export type WaitingPatient = components['schemas']['WaitingPatient']

/** The queue is asked for this often while the page is in view. */
export const POLL_MS = 5000

/** «Иванова А.»: the surname and the first name's initial. */
export function shortName(fullName: string): string {
  const parts = fullName.trim().split(/\s+/)
  return parts.length > 1 ? `${parts[0]} ${parts[1].charAt(0)}.` : parts[0] || ''
}

type AudioContextClass = typeof AudioContext

let context: AudioContext | null = null

function audioContextClass(): AudioContextClass | null {
  const w = window as unknown as { AudioContext?: AudioContextClass; webkitAudioContext?: AudioContextClass }
  return w.AudioContext || w.webkitAudioContext || null
}

function audio(): AudioContext | null {
  if (context) return context
  const Context = audioContextClass()
  if (!Context) return null
  try {
    context = new Context()
  } catch {
    return null
  }
  return context
}

/** Two short tones (about 0.4 s). Silent where the browser still keeps sound off until a click. */
export function beep(): void {
  const ctx = audio()
  if (!ctx) return
  if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined)
  const start = ctx.currentTime + 0.02
  const gain = ctx.createGain()
  gain.connect(ctx.destination)
  gain.gain.setValueAtTime(0.0001, start)
  gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02)
  gain.gain.setValueAtTime(0.25, start + 0.36)
  gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.42)
  ;[880, 1175].forEach((frequency, index) => {
    const oscillator = ctx.createOscillator()
    oscillator.type = 'sine'
    oscillator.frequency.setValueAtTime(frequency, start + index * 0.2)
    oscillator.connect(gain)
    oscillator.start(start + index * 0.2)
    oscillator.stop(start + index * 0.2 + 0.18)
  })
}

/** Any click or key on the page lets its sound play from then on (after a reload, the permission given before). */
export function unlockSoundOnFirstTouch(): () => void {
  const unlock = () => {
    const ctx = audio()
    if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => undefined)
    stop()
  }
  const stop = () => {
    document.removeEventListener('pointerdown', unlock)
    document.removeEventListener('keydown', unlock)
  }
  document.addEventListener('pointerdown', unlock)
  document.addEventListener('keydown', unlock)
  return stop
}

export type NotificationState = 'granted' | 'denied' | 'default' | 'unsupported'

export function notificationState(): NotificationState {
  return typeof window.Notification === 'function' ? (window.Notification.permission as NotificationState) : 'unsupported'
}

/** After the doctor's click: sound on, and the browser asks about notifications (older ones take a callback). */
export async function enableAlerts(): Promise<NotificationState> {
  const ctx = audio()
  if (ctx && ctx.state === 'suspended') await ctx.resume().catch(() => undefined)
  if (notificationState() !== 'default') return notificationState()
  await new Promise<void>((resolve) => {
    const asked = window.Notification.requestPermission(() => resolve())
    if (asked && typeof asked.then === 'function') void asked.then(() => resolve(), () => resolve())
  })
  return notificationState()
}

/** The browser's notification, when allowed; a click brings the day page forward. */
export function notify(title: string, body: string, tag: string): void {
  if (notificationState() !== 'granted') return
  try {
    const shown = new window.Notification(title, { body, tag })
    shown.onclick = () => {
      window.focus()
      shown.close()
    }
  } catch {
    // Chrome on Android shows notifications only from a service worker: the page's alert and beep remain.
  }
}
