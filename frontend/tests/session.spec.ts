import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '../src/api'
import { activeRole, isSignedIn, loadSession, setActiveRole, setUser, user } from '../src/session'
import { doctorPatient, jsonResponse } from './helpers'

describe('session', () => {
  it('loads the signed-in user from GET /api/session', async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(200, { user: doctorPatient }))
    vi.stubGlobal('fetch', fetchMock)

    await loadSession()

    expect(fetchMock.mock.calls[0][0]).toBe('/api/session')
    expect(isSignedIn.value).toBe(true)
    expect(user.value?.full_name).toBe('Иванова Мария Петровна')
    expect(activeRole.value).toBe('patient')
  })

  it('takes a null user as signed out', async () => {
    setUser(doctorPatient)
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(200, { user: null })))

    await expect(loadSession()).resolves.toBeNull()

    expect(isSignedIn.value).toBe(false)
  })

  it('treats 401 as signed out', async () => {
    setUser(doctorPatient)
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(jsonResponse(401, { error: { code: 'unauthorized', message: 'Войдите.' } })),
    )

    await expect(loadSession()).resolves.toBeNull()

    expect(isSignedIn.value).toBe(false)
    expect(activeRole.value).toBeNull()
  })

  it('reports other failures', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    await expect(loadSession()).rejects.toBeInstanceOf(ApiError)
  })

  it('drops roles the frontend does not know', () => {
    setUser({ ...doctorPatient, roles: ['auditor', 'doctor'] })
    expect(user.value?.roles).toEqual(['doctor'])
    expect(activeRole.value).toBe('doctor')
  })

  it('uses the remembered role only while the user holds it', () => {
    setActiveRole('doctor')
    setUser(doctorPatient)
    expect(activeRole.value).toBe('doctor')

    setUser({ ...doctorPatient, roles: ['patient'] })
    expect(activeRole.value).toBe('patient')
  })

  it('reads the remembered role on start', async () => {
    window.localStorage.setItem('telemed.role', 'doctor')
    vi.resetModules()
    const fresh = await import('../src/session')
    fresh.setUser(doctorPatient)
    expect(fresh.activeRole.value).toBe('doctor')
  })
})
