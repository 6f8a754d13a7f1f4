import { apiFetch } from './api'
import type { components } from './api-types'
import { CLINIC_TIME_ZONE, parseInstant, zonedParts } from './dates'
import { i18n } from './i18n'
import './styles/documents.css'

/** The patient's files for the doctor: what is accepted, the presigned S3 POST per file, the list and its download links. */

function t(key: string, params: Record<string, unknown> = {}): string {
  return i18n.global.t(key, params)
}

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

export type Attachment = components['schemas']['Attachment']

export type UploadTicket = components['schemas']['UploadForm']

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
  const part = zonedParts(date, CLINIC_TIME_ZONE)
  return `${part.day}.${part.month}.${part.year} ${part.hour}:${part.minute}`
}
