import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { setUser } from '../src/session'
import { legalDocuments, patient } from './bookingFixtures'
import { apiError, jsonResponse, mountWithRouter, stubApi } from './helpers'

const NOW = new Date('2026-12-02T12:00:00Z')
const building = { id: '20261202T120000Z-abc', status: 'building', requested_at: '2026-12-02T15:00:00+03:00' }
const ready = {
  ...building,
  status: 'ready',
  ready_at: '2026-12-02T15:00:05+03:00',
  size: 43804,
  archive_expires_at: '2026-12-03T15:00:05+03:00',
  download_url: 'https://documents.example/exports/p/20261202T120000Z-abc.zip?X-Amz-Expires=900',
  link_expires_at: '2026-12-02T15:15:05+03:00',
}

function personalPage(extra: Record<string, () => Response>) {
  setUser(patient)
  return stubApi({
    'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: true, consent: true })),
    'GET /api/consents': () => jsonResponse(200, []),
    ...extra,
  })
}

afterEach(() => {
  vi.useRealTimers()
})

describe('«Мои данные»', () => {
  it('prepares the archive, says it is being prepared, then offers it with the time its link works until', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: NOW })
    let polls = 0
    personalPage({
      'GET /api/me/data-exports': () => jsonResponse(200, []),
      'POST /api/me/data-exports': () => jsonResponse(202, building),
      [`GET /api/me/data-exports/${building.id}`]: () => jsonResponse(200, ++polls < 2 ? building : ready),
    })
    const { wrapper } = await mountWithRouter(App, '/cabinet/personal')
    await flushPromises()
    const section = () => wrapper.find('[data-test="my-data"]')
    expect(section().find('h2').text()).toBe('Мои данные')
    expect(section().find('[data-test="my-data-download"]').exists()).toBe(false)

    await section().find('[data-test="my-data-prepare"]').trigger('click')
    await flushPromises()
    expect(section().find('[data-test="my-data-building"]').text()).toContain('Архив готовится…')
    expect(section().find('[data-test="my-data-prepare"]').exists()).toBe(false) // one at a time

    await vi.advanceTimersByTimeAsync(2000)
    await flushPromises()
    expect(section().find('[data-test="my-data-building"]').exists()).toBe(true) // still building at the first look
    await vi.advanceTimersByTimeAsync(2000)
    await flushPromises()
    const link = section().find('[data-test="my-data-download"]')
    expect(link.text()).toBe('Скачать архив (ссылка действует до 15:15 МСК)')
    expect(link.attributes('href')).toBe(ready.download_url)
    expect(section().text()).toContain('медицинская тайна')
    // «до» takes the genitive: «до четверга, 3 декабря», never «до четверг».
    expect(section().text()).toContain('Архив хранится у нас до четверга, 3 декабря, 15:00 (МСК)')

    // When the link stops working, a new one is offered instead of a dead link.
    await vi.advanceTimersByTimeAsync(16 * 60 * 1000)
    await flushPromises()
    expect(section().find('[data-test="my-data-download"]').exists()).toBe(false)
    expect(section().find('[data-test="my-data-new-link"]').text()).toBe('Получить новую ссылку')
  })

  it('says why an archive cannot be prepared now, in the server’s words', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
    const message = 'Сегодня вы уже заказали архив с вашими данными столько раз, сколько можно за сутки (3).'
    personalPage({
      'GET /api/me/data-exports': () => jsonResponse(200, [{ ...ready, download_url: undefined, link_expires_at: undefined }]),
      [`GET /api/me/data-exports/${building.id}`]: () => jsonResponse(200, ready),
      'POST /api/me/data-exports': () => apiError(429, 'too_many_requests', message),
    })
    const { wrapper } = await mountWithRouter(App, '/cabinet/personal')
    await flushPromises()
    const section = wrapper.find('[data-test="my-data"]')
    expect(section.find('[data-test="my-data-download"]').attributes('href')).toBe(ready.download_url) // the last one
    await section.find('[data-test="my-data-prepare"]').trigger('click')
    await flushPromises()
    expect(section.find('[data-test="my-data-error"]').text()).toBe(message)
  })
})
