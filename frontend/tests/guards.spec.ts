import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { setUser } from '../src/session'
import { doctorPatient, jsonResponse, mountWithRouter, patientMustChange, registrar, stubApi, signedOutSession, sessionOf } from './helpers'

describe('router guards', () => {
  it('sends a signed-out visitor of /cabinet to /login?next=', async () => {
    stubApi({ 'GET /api/session': signedOutSession })
    const { router, wrapper } = await mountWithRouter(App, '/cabinet')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/login?next=/cabinet')
    expect(wrapper.find('main h1').text()).toBe('Вход в личный кабинет')
  })

  it('keeps the whole address in next, query included', async () => {
    stubApi({ 'GET /api/session': signedOutSession })
    const { router } = await mountWithRouter(App, '/registry/requests?status=done')
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.next).toBe('/registry/requests?status=done')
  })

  it('asks the server only once while the guard and the app start together', async () => {
    const fetchMock = stubApi({ 'GET /api/session': () => sessionOf(doctorPatient) })
    const { router } = await mountWithRouter(App, '/cabinet')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('cabinet')
    expect(fetchMock.mock.calls.filter(([url]) => url === '/api/session')).toHaveLength(1)
  })

  it.each(['/cabinet', '/registry/requests', '/registry/patients/new', '/registry/patients/find'])(
    'sends a person who must change the temporary password from %s to /change-password',
    async (path) => {
      stubApi({ 'GET /api/session': () => sessionOf(patientMustChange) })
      const { router } = await mountWithRouter(App, path)
      expect(router.currentRoute.value.name).toBe('change-password')
    },
  )

  it('still shows public pages and «Выйти» to a person who must change the password', async () => {
    setUser(patientMustChange)
    const { router, wrapper } = await mountWithRouter(App, '/')
    expect(router.currentRoute.value.name).toBe('home')
    expect(wrapper.find('button.site-nav__button').text()).toBe('Выйти')

    await router.push('/change-password')
    expect(router.currentRoute.value.name).toBe('change-password')
    expect(wrapper.find('button.site-nav__button').text()).toBe('Выйти')
  })

  it('lets a signed-in person in', async () => {
    setUser(registrar)
    const fetchMock = stubApi({ 'GET /api/registration-requests?status=new': () => jsonResponse(200, []) })
    const { router } = await mountWithRouter(App, '/registry/requests')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('registry-requests')
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })

  it('shows the page with a retry when the server cannot be reached, then carries on', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    const { router, wrapper } = await mountWithRouter(App, '/cabinet')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('cabinet')
    expect(wrapper.find('main [role="alert"]').text()).toContain('Не удалось проверить вход в личный кабинет')

    stubApi({ 'GET /api/session': signedOutSession })
    await wrapper.find('main [role="alert"] button').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/login?next=/cabinet')
  })
})
