import type { components } from './api-types'
import { CLINIC_TIME_ZONE, parseInstant, zonedParts } from './dates'
import { i18n } from './i18n'
import './styles/documents.css'

/** The audit log of reads of medical data, as the admin reads it: what was done, to what, with which browser, when. */

function t(key: string, params: Record<string, unknown> = {}): string {
  return i18n.global.t(key, params)
}

export type AuditEntry = components['schemas']['AuditEntry']

export const AUDIT_ACTIONS = [
  'read_booking',
  'read_conclusion',
  'read_conclusion_pdf',
  'read_attachments',
  'read_patient_bookings',
] as const

export function actionLabel(action: string): string {
  return (AUDIT_ACTIONS as readonly string[]).indexOf(action) !== -1 ? t(`audit.actions.${action}`) : action
}

export function targetLabel(entry: AuditEntry): string {
  if (entry.target_type === 'booking') return t('audit.targets.booking', { id: entry.target_id })
  if (entry.target_type === 'conclusion') return t('audit.targets.conclusion', { id: entry.target_id })
  if (entry.target_type === 'patient') return t('audit.targets.patient', { id: entry.target_id })
  return `${entry.target_type} ${entry.target_id}`
}

/** «Chrome 120, Windows» from a User-Agent string; the string itself when it is not a known browser. */
export function browserName(userAgent: string | null | undefined): string {
  if (!userAgent) return '—'
  const browsers: Array<[RegExp, string]> = [
    [/YaBrowser\/(\d+)/, 'Яндекс.Браузер'],
    [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
    [/OPR\/(\d+)/, 'Opera'],
    [/Firefox\/(\d+)/, 'Firefox'],
    [/FxiOS\/(\d+)/, 'Firefox'],
    [/CriOS\/(\d+)/, 'Chrome'],
    [/(?:HeadlessChrome|Chrome|Chromium)\/(\d+)/, 'Chrome'],
    [/Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  ]
  const systems: Array<[RegExp, string]> = [
    [/Windows/, 'Windows'],
    [/Android/, 'Android'],
    [/iPhone|iPad|iPod/, 'iOS'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/Linux/, 'Linux'],
  ]
  let browser = ''
  for (const [pattern, name] of browsers) {
    const match = pattern.exec(userAgent)
    if (match) {
      browser = `${name} ${match[1]}`
      break
    }
  }
  if (!browser) return userAgent.length > 60 ? `${userAgent.slice(0, 57)}…` : userAgent
  for (const [pattern, name] of systems) if (pattern.test(userAgent)) return `${browser}, ${name}`
  return browser
}

/** «14:32:05» in Moscow. */
export function clinicTimeWithSeconds(iso: string): string {
  const date = parseInstant(iso)
  if (!date) return iso
  const part = zonedParts(date, CLINIC_TIME_ZONE)
  return `${part.hour}:${part.minute}:${part.second}`
}
