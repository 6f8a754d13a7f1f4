import { describe, expect, it, vi } from 'vitest'
import { ApiError, apiFetch } from '../src/api'
import { setLocale } from '../src/i18n'
import { jsonResponse } from './helpers'

function stubFetch(result: Response | Error | DOMException) {
  const fetchMock = vi.fn(() => (result instanceof Response ? Promise.resolve(result) : Promise.reject(result)))
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail')
    },
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(ApiError)
  return error as ApiError
}

describe('apiFetch', () => {
  it('GETs /api + path with the session cookie and returns the JSON body', async () => {
    const fetchMock = stubFetch(jsonResponse(200, { id: 'u-1' }))

    await expect(apiFetch('/me')).resolves.toEqual({ id: 'u-1' })

    expect(fetchMock).toHaveBeenCalledTimes(1)
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/me')
    expect(init.method).toBe('GET')
    expect(init.credentials).toBe('same-origin')
    expect(init.headers).toMatchObject({ Accept: 'application/json' })
    expect(init.body).toBeUndefined()
  })

  it('sends a body as JSON', async () => {
    const fetchMock = stubFetch(jsonResponse(201, { id: 'b-1', status: 'held' }))

    await apiFetch('/bookings', { body: { slot_id: 's-1' } })

    const [, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(init.method).toBe('POST')
    expect(init.headers).toMatchObject({ 'Content-Type': 'application/json' })
    expect(init.body).toBe('{"slot_id":"s-1"}')
  })

  it('resolves an empty 204 to undefined', async () => {
    stubFetch(new Response(null, { status: 204 }))
    await expect(apiFetch('/auth/logout', { method: 'POST' })).resolves.toBeUndefined()
  })

  it('turns the error envelope into an ApiError with the server’s message', async () => {
    stubFetch(jsonResponse(409, { error: { code: 'slot_taken', message: 'Это время уже занято. Выберите другое.' } }))

    const error = await rejection(apiFetch('/bookings', { body: { slot_id: 's-1' } }))

    expect(error.status).toBe(409)
    expect(error.code).toBe('slot_taken')
    expect(error.message).toBe('Это время уже занято. Выберите другое.')
  })

  it('keeps what the person may act on from error.details (the nearest free slots)', async () => {
    const nearest = [{ id: 's-2', starts_at: '2026-11-27T15:00:00+03:00', ends_at: '2026-11-27T15:30:00+03:00' }]
    stubFetch(jsonResponse(409, { error: { code: 'slot_taken', message: 'Это время уже занято.', details: { nearest } } }))

    const error = await rejection(apiFetch('/bookings', { body: { slot_id: 's-1' } }))

    expect(error.details).toEqual({ nearest })
  })

  it('has empty details when the server sent none', async () => {
    stubFetch(jsonResponse(409, { error: { code: 'hold_limit', message: 'Не больше 2 записей.' } }))
    const error = await rejection(apiFetch('/bookings', { body: { slot_id: 's-1' } }))
    expect(error.details).toEqual({})
  })

  it('gives the Russian fallback message when the network fails', async () => {
    stubFetch(new TypeError('Failed to fetch'))

    const error = await rejection(apiFetch('/me'))

    expect(error.status).toBe(0)
    expect(error.code).toBe('network_error')
    expect(error.message).toBe(
      'Не удалось связаться с сервером. Проверьте подключение к интернету и попробуйте ещё раз.',
    )
  })

  it('gives the fallback in the current language', async () => {
    setLocale('en')
    stubFetch(new TypeError('Failed to fetch'))

    const error = await rejection(apiFetch('/me'))

    expect(error.message).toBe('Could not reach the server. Please check your internet connection and try again.')
  })

  it('gives a fallback for an error page that is not JSON', async () => {
    stubFetch(new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }))

    const error = await rejection(apiFetch('/me'))

    expect(error.status).toBe(502)
    expect(error.code).toBe('unexpected_response')
    expect(error.message).toBe('Сервер ответил неожиданно. Пожалуйста, повторите попытку немного позже.')
  })

  it('gives a fallback for JSON errors without the envelope', async () => {
    stubFetch(jsonResponse(500, { message: 'Internal Server Error' }))

    const error = await rejection(apiFetch('/me'))

    expect(error.status).toBe(500)
    expect(error.code).toBe('unexpected_response')
  })

  it('rejects a successful response whose body is not JSON', async () => {
    stubFetch(new Response('<!doctype html><title>index</title>', { status: 200 }))

    const error = await rejection(apiFetch('/me'))

    expect(error.status).toBe(200)
    expect(error.code).toBe('unexpected_response')
  })

  it('lets an abort through unchanged', async () => {
    const abort = new DOMException('The operation was aborted.', 'AbortError')
    stubFetch(abort)

    await expect(apiFetch('/me')).rejects.toBe(abort)
  })
})

describe('apiFetch field errors', () => {
  it('carries the messages of single fields and Retry-After', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        new Response(
          JSON.stringify({
            error: {
              code: 'validation_error',
              message: 'Проверьте, пожалуйста, заполнение полей.',
              fields: { email: 'Заполните это поле.', bogus: 42 },
            },
          }),
          { status: 400, headers: { 'Content-Type': 'application/json', 'Retry-After': '30' } },
        ),
      ),
    )
    const error = await rejection(apiFetch('/registration-requests', { body: {} }))
    expect(error.fields).toEqual({ email: 'Заполните это поле.' })
    expect(error.retryAfter).toBe(30)
  })

  it('has no field messages for other errors', async () => {
    stubFetch(jsonResponse(401, { error: { code: 'invalid_credentials', message: 'Неверный логин или пароль.' } }))
    const error = await rejection(apiFetch('/auth/login', { body: {} }))
    expect(error.fields).toEqual({})
    expect(error.retryAfter).toBeNull()
  })
})
