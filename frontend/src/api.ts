import { i18n } from './i18n'
import { noteSeen } from './sessionLimits'

export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number
  readonly code: string
  /** Messages for single form fields (from a 400 validation_error), keyed by the field's name. */
  readonly fields: Readonly<Record<string, string>>
  /** Seconds from a Retry-After header (429), when the server sent one. */
  readonly retryAfter: number | null
  /** What the person may act on besides the message (e.g. `nearest` free slots after `slot_taken`). */
  readonly details: Readonly<Record<string, unknown>>

  constructor(
    status: number,
    code: string,
    message: string,
    fields: Record<string, string> = {},
    retryAfter: number | null = null,
    details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    this.retryAfter = retryAfter
    this.details = details
  }
}

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Sent as JSON. */
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
}

interface ErrorEnvelope {
  error: { code: string; message: string; fields?: unknown; details?: unknown }
}

function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  if (!value || typeof value !== 'object') return false
  const error = (value as { error?: unknown }).error
  if (!error || typeof error !== 'object') return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  return typeof code === 'string' && typeof message === 'string' && message !== ''
}

/** Keeps only string messages: the form shows them next to the field as they are. */
function fieldMessages(value: unknown): Record<string, string> {
  const fields: Record<string, string> = {}
  if (!value || typeof value !== 'object' || Array.isArray(value)) return fields
  const source = value as Record<string, unknown>
  Object.keys(source).forEach((name) => {
    const message = source[name]
    if (typeof message === 'string' && message !== '') fields[name] = message
  })
  return fields
}

function detailsObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function retryAfterSeconds(response: Response): number | null {
  const header = response.headers.get('Retry-After')
  if (header === null || !/^\d+$/.test(header.trim())) return null
  return parseInt(header.trim(), 10)
}

// An abort rejects with a DOMException; matching it by name does not rely on its prototype chain.
function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError'
}

async function readJson(response: Response): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = await response.text()
  if (text === '') return { ok: true, value: undefined }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

/**
 * Calls the backend at `/api${path}` with the session cookie and JSON in both
 * directions. Resolves with the parsed body (undefined for an empty one, e.g.
 * 204); rejects with an ApiError whose message can be shown to the person.
 * An aborted request rejects with the browser's own AbortError.
 */
export async function apiFetch<T = unknown>(path: string, options: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  const init: RequestInit = {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    credentials: 'same-origin',
    headers,
    signal: options.signal,
  }
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(options.body)
  }

  let response: Response
  try {
    response = await fetch(`/api${path}`, init)
  } catch (error) {
    if (isAbort(error)) throw error
    throw new ApiError(0, 'network_error', i18n.global.t('errors.network'))
  }

  let parsed: Awaited<ReturnType<typeof readJson>>
  try {
    parsed = await readJson(response)
  } catch (error) {
    if (isAbort(error)) throw error
    throw new ApiError(0, 'network_error', i18n.global.t('errors.network'))
  }

  if (response.headers.get('X-Session-Seen') === '1') noteSeen()
  if (response.ok && parsed.ok) return parsed.value as T
  if (!response.ok && parsed.ok && isErrorEnvelope(parsed.value)) {
    const { code, message, fields, details } = parsed.value.error
    throw new ApiError(
      response.status,
      code,
      message,
      fieldMessages(fields),
      retryAfterSeconds(response),
      detailsObject(details),
    )
  }
  throw new ApiError(response.status, 'unexpected_response', i18n.global.t('errors.unexpectedResponse'))
}
