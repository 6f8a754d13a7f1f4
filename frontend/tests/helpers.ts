import { mount } from '@vue/test-utils'
import { beforeAll, vi } from 'vitest'
import type { Component } from 'vue'
import { createMemoryHistory } from 'vue-router'
import { i18n } from '../src/i18n'
import { createAppRouter, routes } from '../src/router'

// Pages are lazy chunks (src/router.ts). Importing them before the file's tests (after its vi.mock calls), as
// router.ts's static imports once did, lets a navigation a test triggers settle within flushPromises().
beforeAll(async () => {
  await Promise.all(
    routes.map((route) => (typeof route.component === 'function' ? (route.component as () => Promise<unknown>)() : null)),
  )
}, 120_000)

export async function mountWithRouter(component: Component, path = '/') {
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(component, { global: { plugins: [i18n, router] }, attachTo: document.body })
  return { wrapper, router }
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

export const doctorPatient = {
  id: 'u-1',
  full_name: 'Иванова Мария Петровна',
  email: 'maria@example.ru',
  roles: ['patient', 'doctor'],
  must_change_password: false,
}

type Handler = (body: unknown) => Response | Promise<Response>

/**
 * Stubs fetch with one handler per "METHOD /api/path?query"; the handler gets
 * the parsed JSON body. An unexpected request fails the test loudly.
 */
export function stubApi(routes: Record<string, Handler>) {
  const fetchMock = vi.fn((url: string, init: RequestInit = {}) => {
    const key = `${init.method ?? 'GET'} ${url}`
    const handler = routes[key]
    if (!handler) return Promise.reject(new Error(`unexpected request: ${key}`))
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined
    return Promise.resolve(handler(body))
  })
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

/** The JSON bodies sent to "METHOD /api/path". */
export function sentBodies(fetchMock: ReturnType<typeof stubApi>, key: string): unknown[] {
  return fetchMock.mock.calls
    .filter(([url, init]) => `${(init && init.method) || 'GET'} ${url}` === key)
    .map(([, init]) => (init && typeof init.body === 'string' ? JSON.parse(init.body) : undefined))
}

export function apiError(status: number, code: string, message: string, fields?: Record<string, string>): Response {
  return jsonResponse(status, { error: fields ? { code, message, fields } : { code, message } })
}

/** A response the test releases when it wants, to look at the page while the request is in flight. */
export function deferredResponse() {
  let release: (response: Response) => void = () => undefined
  const promise = new Promise<Response>((resolve) => {
    release = resolve
  })
  return { promise, release }
}

export const patientMustChange = {
  id: 'u-2',
  full_name: 'Соколов Андрей Ильич',
  email: 'andrey@example.ru',
  roles: ['patient'],
  must_change_password: true,
}

export const registrar = {
  id: 'u-3',
  full_name: 'Смирнова Ольга Петровна',
  email: 'registrar@clinic.local',
  roles: ['registrar'],
  must_change_password: false,
}

/** GET /api/session's answers: a visitor, or the person signed in. */
export const signedOutSession = () => jsonResponse(200, { user: null })
export const sessionOf = (person: unknown) => jsonResponse(200, { user: person })

export const notSignedIn = () => apiError(401, 'not_signed_in', 'Войдите в личный кабинет, чтобы продолжить.')
