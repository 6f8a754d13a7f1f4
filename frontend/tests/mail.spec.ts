import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import App from '../src/App.vue'
import { setActiveRole, setUser } from '../src/session'
import { jsonResponse, mountWithRouter, registrar, stubApi } from './helpers'

const admin = { ...registrar, id: 'u-adm', full_name: 'Администратор Центра', email: 'admin@clinic.local', roles: ['admin'] }

const held = {
  id: 'inbound/abc',
  status: 'held',
  reason: 'matched_by_sender_and_subject',
  received_at: '2026-11-26T06:05:00Z',
  sender: 'anna@example.org',
  subject: 'Консультация 26.11 в 14:30',
  booking_id: 'b-1',
  patient_id: 'u-7',
  files: ['анализы.pdf', 'снимок.jpg'],
}

const failed = {
  id: 'm-1',
  to: 'anna@example.org',
  template: 'booking_paid',
  attempts: 1,
  last_error: 'UndefinedError: …',
  created_at: '2026-11-26T06:00:00Z',
}

describe('«Почта»', () => {
  it('shows the registrar the patients’ letters kept aside, and why, and switches to the refused ones', async () => {
    setUser(registrar)
    setActiveRole('registrar')
    const fetchMock = stubApi({
      'GET /api/inbound-mail?status=held': () => jsonResponse(200, [held]),
      'GET /api/inbound-mail?status=rejected': () => jsonResponse(200, []),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/mail')
    await flushPromises()

    const row = wrapper.find('[data-test="mail-inbound-item"]')
    expect(row.text()).toContain('26 ноября 2026 г. в 09:05')
    expect(row.text()).toContain('anna@example.org')
    expect(row.text()).toContain('анализы.pdf, снимок.jpg')
    expect(row.find('[data-test="mail-reason"]').text()).toBe('Отправлено на общий адрес; запись найдена по отправителю и теме')
    expect(wrapper.text()).toContain('попросите загрузить документы в личном кабинете')
    // The clinic's failed letters are the admin's: the registrar is not asked for them.
    expect(wrapper.find('[data-test="mail-failed"]').exists()).toBe(false)
    expect(fetchMock.mock.calls.map(([url]) => url)).not.toContain('/api/outbox/failed')

    await wrapper.find('[data-test="mail-rejected"]').setValue(true)
    await flushPromises()
    expect(wrapper.find('[data-test="mail-inbound-empty"]').text()).toBe('Таких писем нет.')
  })

  it('shows the admin the clinic’s letters that could not be sent, with the reason', async () => {
    setUser(admin)
    setActiveRole('admin')
    stubApi({
      'GET /api/inbound-mail?status=held': () => jsonResponse(200, []),
      'GET /api/outbox/failed': () => jsonResponse(200, [failed]),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/mail')
    await flushPromises()
    const row = wrapper.find('[data-test="mail-failed-item"]')
    expect(row.text()).toContain('Консультация оплачена (ссылка на видеоконсультацию)')
    expect(row.text()).toContain('UndefinedError')
    expect(wrapper.find('[data-test="nav-mail"]').exists()).toBe(true)
  })
})
