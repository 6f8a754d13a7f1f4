import { ApiError, apiFetch } from './api'
import { CLINIC_TIME_ZONE, parseInstant } from './dates'
import { i18n } from './i18n'
import './styles/documents.css'

/**
 * Documents of a consultation: the patient's files for the doctor (a presigned S3 POST per file),
 * the doctor's conclusion, its verification, and the audit log of reads.
 */

function t(key: string, params: Record<string, unknown> = {}): string {
  return i18n.global.t(key, params)
}

// --- Files for the doctor ---------------------------------------------------------------

/** What the clinic accepts, with the file name endings that mean each type. */
export const DOCUMENT_TYPES: Readonly<Record<string, readonly string[]>> = {
  'application/pdf': ['pdf'],
  'image/jpeg': ['jpg', 'jpeg', 'jpe'],
  'image/png': ['png'],
}
export const MAX_FILE_SIZE = 20 * 1024 * 1024
export const MAX_FILES = 10
/** For the file chooser: the types and their endings (some systems only filter by the ending). */
export const ACCEPT = '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png'
/** Download links live 5 minutes on the server; older than this, the list is asked again first. */
export const LINK_FRESH_MS = 4 * 60 * 1000

export interface Attachment {
  id: string
  filename: string
  content_type: string
  size: number
  status: 'pending' | 'ready' | 'rejected'
  source?: 'cabinet' | 'email' | string
  reason?: string | null
  uploaded_at?: string
  download_url?: string
}

export interface UploadTicket {
  attachment_id: string
  url: string
  fields: Record<string, string>
  max_size?: number
}

/** The type the server is told: the browser's own when it is one of ours, else by the name's ending. */
export function documentType(file: { name: string; type: string }): string | null {
  if (Object.prototype.hasOwnProperty.call(DOCUMENT_TYPES, file.type)) return file.type
  const dot = file.name.lastIndexOf('.')
  const ending = dot === -1 ? '' : file.name.slice(dot + 1).toLowerCase()
  for (const type of Object.keys(DOCUMENT_TYPES)) if (DOCUMENT_TYPES[type].indexOf(ending) !== -1) return type
  return null
}

/** Why a file cannot be sent at all (checked before asking the server), or '' when it can. */
export function fileProblem(file: { name: string; type: string; size: number }): string {
  if (!documentType(file)) return t('attachments.problems.type')
  if (file.size <= 0) return t('attachments.problems.empty')
  if (file.size > MAX_FILE_SIZE) return t('attachments.problems.size', { mb: String(MAX_FILE_SIZE / (1024 * 1024)) })
  return ''
}

/** «1,2 МБ», «350 КБ», «900 Б». */
export function formatSize(bytes: number, locale: string = i18n.global.locale.value): string {
  const comma = (value: string) => (locale === 'en' ? value : value.replace('.', ','))
  if (bytes >= 1024 * 1024) return t('attachments.units.mb', { n: comma((bytes / (1024 * 1024)).toFixed(1)) })
  if (bytes >= 1024) return t('attachments.units.kb', { n: String(Math.round(bytes / 1024)) })
  return t('attachments.units.b', { n: String(bytes) })
}

export function sourceLabel(source: string | undefined): string {
  if (source === 'email') return t('attachments.source.email')
  if (source === 'cabinet') return t('attachments.source.cabinet')
  return source || ''
}

/** Why the transfer to the storage failed (not an answer of our API). */
export class TransferError extends Error {
  /** The storage's HTTP status; 0 when there was no answer the page could read (network, CORS, CSP). */
  readonly status: number
  readonly body: string

  constructor(status: number, body: string) {
    super(status === 0 ? 'transfer failed' : `storage answered ${status}`)
    this.name = 'TransferError'
    this.status = status
    this.body = body
  }
}

/**
 * Sends the file to the storage as the presigned POST says: multipart/form-data with every field
 * of the ticket first, then the file as `file` (S3 ignores fields after the file). XMLHttpRequest,
 * not fetch, because only it reports the upload's progress.
 */
export function sendToStorage(
  ticket: UploadTicket,
  file: Blob,
  onProgress: (fraction: number) => void,
  register?: (xhr: XMLHttpRequest) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData()
    Object.keys(ticket.fields).forEach((name) => form.append(name, ticket.fields[name]))
    form.append('file', file)
    const xhr = new XMLHttpRequest()
    xhr.open('POST', ticket.url)
    xhr.upload.onprogress = (event: ProgressEvent) => {
      if (event.lengthComputable && event.total > 0) onProgress(Math.min(1, event.loaded / event.total))
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1)
        resolve()
      } else {
        reject(new TransferError(xhr.status, typeof xhr.responseText === 'string' ? xhr.responseText : ''))
      }
    }
    xhr.onerror = () => reject(new TransferError(0, ''))
    xhr.ontimeout = () => reject(new TransferError(0, ''))
    xhr.onabort = () => reject(new TransferError(0, 'aborted'))
    if (register) register(xhr)
    xhr.send(form)
  })
}

/** What the storage's XML error says, in our words: S3 answers EntityTooLarge when the file grew. */
export function transferMessage(error: TransferError): string {
  if (error.status === 0) return t('attachments.problems.transfer')
  if (/EntityTooLarge/.test(error.body)) return t('attachments.problems.size', { mb: String(MAX_FILE_SIZE / (1024 * 1024)) })
  return t('attachments.problems.storage', { status: String(error.status) })
}

export function attachmentsPath(bookingId: string): string {
  return `/bookings/${encodeURIComponent(bookingId)}/attachments`
}

export function loadAttachments(bookingId: string): Promise<Attachment[]> {
  return apiFetch<Attachment[]>(attachmentsPath(bookingId))
}

/** Opens a download link; when the list is older than the links' life, asks for fresh ones first. */
export async function openFresh(
  item: Attachment,
  loadedAt: number,
  reload: () => Promise<Attachment[]>,
  event: Event,
): Promise<void> {
  if (Date.now() - loadedAt < LINK_FRESH_MS && item.download_url) return
  event.preventDefault()
  const fresh = await reload()
  let url = ''
  for (const candidate of fresh) if (candidate.id === item.id && candidate.download_url) url = candidate.download_url
  if (!url) return
  const opened = window.open(url, '_blank')
  if (opened) opened.opener = null
  // A blocked pop-up: the link is a download (Content-Disposition: attachment), so this page stays.
  else window.location.assign(url)
}

/** «26.11.2026 14:30»: the consultation's time as the subject of an email with documents. */
export function subjectTime(iso: string): string {
  const date = parseInstant(iso)
  if (!date) return ''
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: CLINIC_TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).formatToParts(date)
  const part: Record<string, string> = {}
  for (const item of parts) part[item.type] = item.value
  const hour = part.hour === '24' ? '00' : part.hour
  return `${part.day}.${part.month}.${part.year} ${hour}:${part.minute}`
}

// --- The conclusion ---------------------------------------------------------------------

export const CONCLUSION_FIELDS = ['complaints', 'anamnesis', 'examination', 'conclusion', 'recommendations'] as const
export type ConclusionField = (typeof CONCLUSION_FIELDS)[number]
export type ConclusionText = Record<ConclusionField, string>

export interface Conclusion extends ConclusionText {
  booking_id: string
  status: 'empty' | 'draft' | 'signed'
  updated_at: string | null
  signed_at: string | null
  certificate_serial: string | null
  last_error: string | null
}

/** Quiet time after the last keystroke before the draft is saved. */
export const AUTOSAVE_DELAY_MS = 1500

export function conclusionPath(bookingId: string): string {
  return `/bookings/${encodeURIComponent(bookingId)}/conclusion`
}

/** The signed PDF: a plain link (the session cookie goes with it). */
export function conclusionPdfUrl(bookingId: string): string {
  return `/api${conclusionPath(bookingId)}/pdf`
}

// --- Verification -----------------------------------------------------------------------

export interface Verification {
  valid: boolean
  intact?: boolean
  trusted?: boolean
  signer?: string | null
  organization?: string | null
  signed_at?: string | null
  booking?: string | null
  certificate_serial?: string | null
  reason?: string
}

interface ErrorEnvelope {
  error?: { code?: unknown; message?: unknown; fields?: unknown; details?: unknown }
}

/** POST /api/conclusions/verify with the PDF itself as the body (apiFetch only sends JSON). */
export async function verifyPdf(file: Blob): Promise<Verification> {
  let response: Response
  try {
    response = await fetch('/api/conclusions/verify', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/pdf' },
      body: file,
    })
  } catch {
    throw new ApiError(0, 'network_error', t('errors.network'))
  }
  let parsed: unknown
  try {
    const text = await response.text()
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    throw new ApiError(response.status, 'unexpected_response', t('errors.unexpectedResponse'))
  }
  if (response.ok && parsed && typeof parsed === 'object' && typeof (parsed as Verification).valid === 'boolean') {
    return parsed as Verification
  }
  const envelope = (parsed || {}) as ErrorEnvelope
  const error = envelope.error
  if (!response.ok && error && typeof error.code === 'string' && typeof error.message === 'string' && error.message) {
    throw new ApiError(response.status, error.code, error.message)
  }
  if (response.status === 413) throw new ApiError(413, 'payload_too_large', t('verify.tooLarge'))
  throw new ApiError(response.status, 'unexpected_response', t('errors.unexpectedResponse'))
}

/** Why a conclusion is not valid, in a patient's words. */
export function invalidReason(result: Verification): string {
  if (result.reason === 'unsigned') return t('verify.reasons.unsigned')
  if (result.reason === 'unreadable') return t('verify.reasons.unreadable')
  if (result.reason === 'damaged') return t('verify.reasons.damaged')
  if (result.intact === false) return t('verify.reasons.changed')
  if (result.trusted === false) return t('verify.reasons.untrusted')
  return t('verify.reasons.added')
}

// --- The audit log ----------------------------------------------------------------------

export interface AuditEntry {
  at: string
  actor_id: string
  actor_name: string
  actor_roles: string[]
  action: string
  target_type: string
  target_id: string
  patient_id: string | null
  ip: string | null
  user_agent: string | null
}

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
export function browserName(userAgent: string | null): string {
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
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: CLINIC_TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).formatToParts(date)
  const part: Record<string, string> = {}
  for (const item of parts) part[item.type] = item.value
  return `${part.hour === '24' ? '00' : part.hour}:${part.minute}:${part.second}`
}
