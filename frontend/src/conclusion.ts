import { ApiError } from './api'
import type { components } from './api-types'
import { i18n } from './i18n'
import './styles/documents.css'

/** The doctor's conclusion (its text, autosaved as a draft, then signed as a PDF) and the check of a signed PDF. */

function t(key: string, params: Record<string, unknown> = {}): string {
  return i18n.global.t(key, params)
}

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

export type Verification = components['schemas']['Verification']

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

