import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { setActiveRole, setUser } from '../src/session'
import { NOW, plain } from './bookingFixtures'
import { apiError, jsonResponse, mountWithRouter, registrar, stubApi } from './helpers'

const admin = { ...registrar, id: 'u-adm', full_name: 'Администратор Центра', email: 'admin@clinic.local', roles: ['admin'] }

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'

function entry(at: string, action: string, overrides: Record<string, unknown> = {}) {
  return {
    at,
    actor_id: 'd-1',
    actor_name: 'Иванов Сергей Николаевич',
    actor_roles: ['doctor'],
    action,
    target_type: action === 'read_booking' || action === 'read_attachments' ? 'booking' : 'conclusion',
    target_id: 'b-5',
    patient_id: 'u-7',
    ip: '203.0.113.7',
    user_agent: CHROME,
    ...overrides,
  }
}

describe('«Журнал доступа к медицинским данным»', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('lists the Moscow day’s reads, newest first, in Russian, with the time in Moscow, a page at a time', async () => {
    setUser(admin)
    const fetchMock = stubApi({
      // The server keeps the clinic's (Moscow) days: 22:30 UTC on the 25th is 01:30 on the 26th in Moscow.
      'GET /api/audit?date=2026-11-26': () =>
        jsonResponse(200, {
          entries: [
            entry('2026-11-26T06:40:12+00:00', 'read_conclusion_pdf'),
            entry('2026-11-26T06:31:00+00:00', 'read_conclusion', { ip: null, user_agent: null }),
            entry('2026-11-26T06:30:30+00:00', 'read_attachments'),
          ],
          next: 'page/2+=',
        }),
      'GET /api/audit?date=2026-11-26&next=page%2F2%2B%3D': () =>
        jsonResponse(200, {
          entries: [
            entry('2026-11-25T22:30:05.123456+00:00', 'read_booking', {
              actor_name: 'Смирнова Ольга Петровна',
              actor_roles: ['admin', 'registrar'],
            }),
          ],
          next: null,
        }),
    })
    const { wrapper } = await mountWithRouter(App, '/admin/audit')
    await flushPromises()

    expect(wrapper.find('main h1').text()).toBe('Журнал доступа к медицинским данным')
    expect((wrapper.find('[data-test="audit-date"]').element as HTMLInputElement).value).toBe('2026-11-26')
    expect(wrapper.findAll('[data-test="audit-entry"]')).toHaveLength(3)
    expect(wrapper.find('[data-test="audit-shown"]').text()).toBe('Показано записей: 3')
    const more = wrapper.find('[data-test="audit-more"]')
    expect(more.text()).toBe('Показать ещё')
    await more.trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-test="audit-more"]').exists()).toBe(false)

    const rows = wrapper.findAll('[data-test="audit-entry"]')
    expect(rows.map((row) => row.find('[data-test="audit-time"]').text())).toEqual(['09:40:12', '09:31:00', '09:30:30', '01:30:05'])
    expect(rows.map((row) => row.find('[data-test="audit-action"]').text())).toEqual([
      'Скачивание PDF заключения',
      'Просмотр заключения',
      'Просмотр документов пациента',
      'Просмотр записи к врачу',
    ])
    expect(rows[0].find('[data-test="audit-who"]').text()).toBe('Иванов Сергей Николаевич')
    expect(rows[0].find('[data-test="audit-roles"]').text()).toBe('врач')
    expect(rows[3].find('[data-test="audit-roles"]').text()).toBe('администратор, регистратура')
    expect(plain(rows[0].find('[data-test="audit-what"]').text())).toBe('Заключение по записи b-5 пациент: u-7')
    expect(plain(rows[2].find('[data-test="audit-what"]').text())).toBe('Запись b-5 пациент: u-7')
    expect(rows[0].find('[data-test="audit-ip"]').text()).toBe('203.0.113.7')
    expect(rows[0].find('[data-test="audit-browser"]').text()).toBe('Chrome 120, Linux')
    expect(rows[0].find('[data-test="audit-browser"]').attributes('title')).toBe(CHROME)
    expect(rows[1].find('[data-test="audit-ip"]').text()).toBe('—')
    expect(rows[1].find('[data-test="audit-browser"]').text()).toBe('—')
    expect(wrapper.findAll('thead th').map((th) => th.text())).toEqual(['Время (МСК)', 'Кто', 'Действие', 'Что', 'IP-адрес', 'Браузер'])
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })

  it('says why the next page did not load and keeps the rows already shown', async () => {
    setUser(admin)
    stubApi({
      'GET /api/audit?date=2026-11-26': () =>
        jsonResponse(200, { entries: [entry('2026-11-26T06:40:12+00:00', 'read_booking')], next: 'stale' }),
      'GET /api/audit?date=2026-11-26&next=stale': () =>
        apiError(400, 'validation_error', 'Проверьте, пожалуйста, заполнение полей.', {
          next: 'Ссылка на следующую страницу устарела или повреждена. Откройте журнал заново.',
        }),
    })
    const { wrapper } = await mountWithRouter(App, '/admin/audit')
    await flushPromises()
    await wrapper.find('[data-test="audit-more"]').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[data-test="audit-entry"]')).toHaveLength(1)
    expect(wrapper.find('[data-test="audit-more-error"]').text()).not.toBe('')
  })

  it('shows another day on request and says when nobody read anything', async () => {
    setUser(admin)
    const fetchMock = stubApi({
      'GET /api/audit?date=2026-11-25': () => jsonResponse(200, { entries: [], next: null }),
      'GET /api/audit?date=2026-11-26': () => jsonResponse(200, { entries: [], next: null }),
    })
    const { wrapper, router } = await mountWithRouter(App, '/admin/audit')
    await flushPromises()
    expect(wrapper.find('[data-test="audit-empty"]').exists()).toBe(true)
    await wrapper.find('[data-test="audit-date"]').setValue('2026-11-25')
    await wrapper.find('[data-test="audit-date"]').trigger('change')
    await flushPromises()
    expect(router.currentRoute.value.query.date).toBe('2026-11-25')
    expect(fetchMock.mock.calls.map(([url]) => url)).toContain('/api/audit?date=2026-11-25')
    expect(wrapper.find('[data-test="audit-empty"]').text()).toBe(
      'В этот день никто, кроме самих пациентов, не открывал их медицинские данные.',
    )
  })

  it('is for the admin role only: a registrar sees «Нет доступа» and no request is made', async () => {
    setUser(registrar)
    const fetchMock = stubApi({ 'GET /api/registration-requests?status=new': () => jsonResponse(200, []) })
    const { wrapper } = await mountWithRouter(App, '/admin/audit')
    await flushPromises()
    const gate = wrapper.find('[data-test="no-access"]')
    expect(gate.text()).toContain('Журнал доступа к медицинским данным доступен только администратору.')
    expect(wrapper.find('[data-test="audit-table"]').exists()).toBe(false)
    expect(fetchMock.mock.calls.filter(([url]) => String(url).indexOf('/api/audit') === 0)).toHaveLength(0)
    expect(wrapper.find('[data-test="nav-audit"]').exists()).toBe(false)
  })

  it('offers an admin who is in another role to switch, and links the log in the menu and the cabinet', async () => {
    setUser({ ...admin, roles: ['registrar', 'admin'] })
    setActiveRole('registrar')
    stubApi({
      'GET /api/audit?date=2026-11-26': () => jsonResponse(200, { entries: [], next: null }),
    })
    const { wrapper, router } = await mountWithRouter(App, '/admin/audit')
    await flushPromises()
    const gate = wrapper.find('[data-test="no-access"]')
    expect(gate.text()).toContain('Этот раздел доступен в роли «администратор».')
    await gate.find('button').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-test="audit-empty"]').exists()).toBe(true)

    const navLink = wrapper.find('[data-test="nav-audit"]')
    expect(navLink.text()).toBe('Журнал доступа')
    expect(navLink.attributes('href')).toBe('/admin/audit')
    await router.push('/cabinet')
    await flushPromises()
    expect(wrapper.find('[data-test="cabinet-audit"]').attributes('href')).toBe('/admin/audit')
  })
})
