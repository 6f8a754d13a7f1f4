import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import App from '../src/App.vue'
import { setUser } from '../src/session'
import { legalDocuments, patient } from './bookingFixtures'
import { apiError, jsonResponse, mountWithRouter, sentBodies, stubApi } from './helpers'

const off = { enabled: false, phone: null, card_phone: '+79001234567', changed_at: null }
const on = { enabled: true, phone: '+79123456789', card_phone: '+79001234567', changed_at: '2026-12-02T12:00:00Z' }

function personalPage(extra: Record<string, (body: unknown) => Response>) {
  setUser(patient)
  return stubApi({
    'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: true, consent: true })),
    'GET /api/consents': () => jsonResponse(200, []),
    'GET /api/me/data-exports': () => jsonResponse(200, []),
    ...extra,
  })
}

describe('SMS reminders on the personal page', () => {
  it('offers the card’s mobile number, shows the server’s refusal next to the field, then turns them on', async () => {
    let attempts = 0
    const fetchMock = personalPage({
      'GET /api/me/sms-reminders': () => jsonResponse(200, off),
      'PUT /api/me/sms-reminders': () =>
        ++attempts === 1
          ? apiError(400, 'validation_error', 'Проверьте поля формы.', { phone: 'Это городской номер, а SMS приходят только на мобильный.' })
          : jsonResponse(200, on),
    })
    const { wrapper } = await mountWithRouter(App, '/cabinet/personal')
    await flushPromises()
    const section = () => wrapper.find('[data-test="sms-reminders"]')
    expect(section().find('h2').text()).toBe('SMS-напоминания')
    const input = section().find<HTMLInputElement>('#sms-phone')
    expect(input.element.value).toBe('+79001234567')

    await input.setValue('+7 495 123-45-67')
    await section().find('form').trigger('submit')
    await flushPromises()
    expect(section().find('#sms-phone-error').text()).toContain('городской номер')
    expect(input.attributes('aria-invalid')).toBe('true')

    await input.setValue('8 912 345-67-89')
    await section().find('form').trigger('submit')
    await flushPromises()
    expect(sentBodies(fetchMock, 'PUT /api/me/sms-reminders')).toEqual([
      { enabled: true, phone: '+7 495 123-45-67' },
      { enabled: true, phone: '8 912 345-67-89' },
    ])
    expect(section().find('[data-test="sms-notice"]').text()).toContain('+7 912 345-67-89')
    expect(section().find('[data-test="sms-state"]').text()).toContain('приходят на номер +7 912 345-67-89')
    wrapper.unmount()
  })

  it('turns them off in one click', async () => {
    const fetchMock = personalPage({
      'GET /api/me/sms-reminders': () => jsonResponse(200, on),
      'PUT /api/me/sms-reminders': () => jsonResponse(200, { ...off, changed_at: '2026-12-02T13:00:00Z' }),
    })
    const { wrapper } = await mountWithRouter(App, '/cabinet/personal')
    await flushPromises()
    const section = () => wrapper.find('[data-test="sms-reminders"]')
    await section().find('[data-test="sms-disable"]').trigger('click')
    await flushPromises()
    expect(sentBodies(fetchMock, 'PUT /api/me/sms-reminders')).toEqual([{ enabled: false }])
    expect(section().find('[data-test="sms-notice"]').text()).toContain('выключены')
    expect(section().find('[data-test="sms-form"]').exists()).toBe(true)
    wrapper.unmount()
  })
})
