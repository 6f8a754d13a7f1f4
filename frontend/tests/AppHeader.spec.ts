import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import AppHeader from '../src/components/AppHeader.vue'
import { activeRole, setUser, user } from '../src/session'
import { doctorPatient, mountWithRouter } from './helpers'

describe('AppHeader', () => {
  it('shows the clinic and the navigation', async () => {
    const { wrapper } = await mountWithRouter(AppHeader)
    expect(wrapper.text()).toContain('Центр телемедицины')
    expect(wrapper.text()).toContain('ФГБУ СЗОНКЦ им. Л.Г. Соколова ФМБА России')
    const nav = wrapper.find('nav')
    expect(nav.attributes('aria-label')).toBe('Основное меню')
    expect(nav.findAll('a').map((link) => [link.text(), link.attributes('href')])).toEqual([
      ['Главная', '/'],
      ['Запись к врачу', '/booking'],
      ['Личный кабинет', '/cabinet'],
      ['Войти', '/login'],
    ])
  })

  it('marks the current page', async () => {
    const { wrapper } = await mountWithRouter(AppHeader, '/booking')
    expect(wrapper.find('a[aria-current="page"]').text()).toBe('Запись к врачу')
  })

  it('offers «Войти» and no user when signed out', async () => {
    const { wrapper } = await mountWithRouter(AppHeader)
    expect(wrapper.find('a[href="/login"]').text()).toBe('Войти')
    expect(wrapper.find('[data-test="user-name"]').exists()).toBe(false)
    expect(wrapper.find('select').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('Выйти')
  })

  it('shows the name, the role switch and «Выйти» when signed in', async () => {
    setUser(doctorPatient)
    const { wrapper } = await mountWithRouter(AppHeader)
    expect(wrapper.find('[data-test="user-name"]').text()).toBe('Иванова Мария Петровна')
    expect(wrapper.findAll('option').map((option) => option.text())).toEqual(['пациент', 'врач'])
    expect(wrapper.find('button.site-nav__button').text()).toBe('Выйти')
    expect(wrapper.find('a[href="/login"]').exists()).toBe(false)
  })

  it('hides the role switch for a user with one role', async () => {
    setUser({ ...doctorPatient, roles: ['patient'] })
    const { wrapper } = await mountWithRouter(AppHeader)
    expect(wrapper.find('[data-test="user-name"]').exists()).toBe(true)
    expect(wrapper.find('select').exists()).toBe(false)
  })

  it('switches and remembers the active role', async () => {
    setUser(doctorPatient)
    const { wrapper } = await mountWithRouter(AppHeader)
    await wrapper.find('select').setValue('doctor')
    expect(activeRole.value).toBe('doctor')
    expect(window.localStorage.getItem('telemed.role')).toBe('doctor')
  })

  it('signs out through the API and goes home', async () => {
    const fetchMock = vi.fn().mockResolvedValue(new Response(null, { status: 204 }))
    vi.stubGlobal('fetch', fetchMock)
    setUser(doctorPatient)
    const { wrapper, router } = await mountWithRouter(AppHeader, '/cabinet')

    await wrapper.find('button.site-nav__button').trigger('click')
    await flushPromises()

    expect(fetchMock).toHaveBeenCalledWith('/api/auth/logout', expect.objectContaining({ method: 'POST' }))
    expect(user.value).toBeNull()
    expect(router.currentRoute.value.name).toBe('home')
    expect(wrapper.find('a[href="/login"]').text()).toBe('Войти')
  })

  it('stays signed in and says why when signing out fails', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    setUser(doctorPatient)
    const { wrapper } = await mountWithRouter(AppHeader)

    await wrapper.find('button.site-nav__button').trigger('click')
    await flushPromises()

    expect(wrapper.find('[role="alert"]').text()).toContain('Не удалось связаться с сервером')
    expect(wrapper.find('[data-test="user-name"]').exists()).toBe(true)
  })

  it('switches the language to English and remembers it', async () => {
    const { wrapper } = await mountWithRouter(AppHeader)
    const english = wrapper.find('button[lang="en"]')
    expect(english.attributes('aria-pressed')).toBe('false')

    await english.trigger('click')

    expect(english.attributes('aria-pressed')).toBe('true')
    expect(wrapper.find('nav').text()).toContain('Book a doctor')
    expect(wrapper.find('a[href="/login"]').text()).toBe('Sign in')
    expect(window.localStorage.getItem('telemed.locale')).toBe('en')
  })
})
