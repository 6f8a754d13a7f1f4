import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import App from '../src/App.vue'
import { setActiveRole, setUser } from '../src/session'
import { doctorPatient, jsonResponse, mountWithRouter, registrar, stubApi } from './helpers'

describe('CabinetView', () => {
  it('shows a patient the name, email, role, personal data and «Запись к врачу»', async () => {
    setUser({ ...doctorPatient, roles: ['patient'] })
    stubApi({ 'GET /api/legal-documents': () => jsonResponse(200, []) })
    const { wrapper } = await mountWithRouter(App, '/cabinet')
    await flushPromises()
    const main = wrapper.find('main')
    expect(main.find('[data-test="cabinet-name"]').text()).toBe('Иванова Мария Петровна')
    expect(main.text()).toContain('maria@example.ru')
    expect(main.find('[data-test="cabinet-role"]').text()).toBe('Роль: пациент')
    expect(main.find('#cabinet-personal').text()).toBe('Личные данные')
    expect(main.find('a[href="/cabinet/personal"]').text()).toBe('Открыть личные данные')
    expect(main.find('[data-test="cabinet-unsigned"]').exists()).toBe(false)
    expect(main.find('section[aria-labelledby="cabinet-booking"] a[href="/bookings"]').text()).toBe('Мои записи')
    expect(main.find('section[aria-labelledby="cabinet-booking"] a[href="/booking"]').text()).toBe('Запись к врачу')
    expect(main.find('a[href="/change-password"]').text()).toBe('Сменить пароль')
    expect(main.find('#cabinet-registry').exists()).toBe(false)
  })

  it('follows the role switch', async () => {
    setUser(doctorPatient)
    stubApi({})
    const { wrapper } = await mountWithRouter(App, '/cabinet')
    expect(wrapper.find('#cabinet-personal').exists()).toBe(true)

    await wrapper.find('header select').setValue('doctor')
    expect(wrapper.find('[data-test="cabinet-role"]').text()).toBe('Роль: врач')
    expect(wrapper.find('#cabinet-personal').exists()).toBe(false)
    expect(wrapper.find('#cabinet-consultations').text()).toBe('Мои консультации')
  })

  it('gives the registry links to a registrar', async () => {
    setUser({ ...registrar, roles: ['registrar', 'patient'] })
    setActiveRole('registrar')
    stubApi({})
    const { wrapper } = await mountWithRouter(App, '/cabinet')
    const links = wrapper.findAll('section[aria-labelledby="cabinet-registry"] a')
    expect(links.map((link) => link.attributes('href'))).toEqual([
      '/registry/requests',
      '/registry/patients/new',
      '/registry/patients/find',
    ])
  })
})
