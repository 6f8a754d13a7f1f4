import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { plain } from './bookingFixtures'
import { apiError, deferredResponse, jsonResponse, mountWithRouter, signedOutSession } from './helpers'

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

function verifyStub(respond: () => Response | Promise<Response>) {
  const fetchMock = vi.fn((url: string, init: RequestInit = {}) => {
    if (url === '/api/session') return Promise.resolve(signedOutSession())
    if (url === '/api/conclusions/verify' && init.method === 'POST') return Promise.resolve(respond())
    return Promise.reject(new Error(`unexpected request: ${init.method ?? 'GET'} ${url}`))
  })
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

function pdfFile(name = 'zaklyuchenie-2026-11-26.pdf'): File {
  return new File(['%PDF-1.7 signed'], name, { type: 'application/pdf' })
}

async function choose(wrapper: Wrapper, file: File) {
  const input = wrapper.find('[data-test="verify-input"]')
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  await input.trigger('change')
  await flushPromises()
}

const VALID = {
  valid: true,
  intact: true,
  trusted: true,
  signer: 'Иванов Сергей Николаевич',
  organization: 'ФГБУ СЗОНКЦ им. Л.Г. Соколова ФМБА России',
  signed_at: '2026-11-26T06:40:00+00:00',
  booking: 'b-5',
  certificate_serial: '1A2B3C4D',
}

describe('/verify', () => {
  it('is public and linked from the footer', async () => {
    verifyStub(() => jsonResponse(200, VALID))
    const { wrapper, router } = await mountWithRouter(App, '/')
    const link = wrapper.find('[data-test="footer-verify"]')
    expect(link.text()).toBe('Проверить подпись заключения врача')
    await link.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/verify')
    expect(wrapper.find('main h1').text()).toBe('Проверка электронной подписи заключения')
    expect(plain(wrapper.text())).toContain('а не квалифицированная электронная подпись')
  })

  it('sends the PDF itself and says who signed a valid conclusion, and when', async () => {
    const answer = deferredResponse()
    const fetchMock = verifyStub(() => answer.promise)
    const { wrapper } = await mountWithRouter(App, '/verify')
    const file = pdfFile()
    await choose(wrapper, file)

    const [, init] = fetchMock.mock.calls.filter(([url]) => url === '/api/conclusions/verify')[0]
    expect(init!.body).toBe(file)
    expect((init!.headers as Record<string, string>)['Content-Type']).toBe('application/pdf')
    expect(wrapper.find('[data-test="verify-checking"]').text()).toBe('Проверяем «zaklyuchenie-2026-11-26.pdf»…')

    answer.release(jsonResponse(200, VALID))
    await flushPromises()
    const verdict = wrapper.find('[data-test="verify-valid"]')
    expect(verdict.find('h2').text()).toBe('Подпись действительна')
    expect(verdict.find('[data-test="verify-signer"]').text()).toBe('Иванов Сергей Николаевич')
    expect(verdict.find('[data-test="verify-organization"]').text()).toBe('ФГБУ СЗОНКЦ им. Л.Г. Соколова ФМБА России')
    expect(verdict.find('[data-test="verify-signed-at"]').text()).toMatch(/^26 ноября 2026 г\.,? (в )?09:40 \(МСК\)$/)
    expect(verdict.find('[data-test="verify-booking"]').text()).toBe('b-5')
    expect(verdict.find('[data-test="verify-serial"]').text()).toBe('1A2B3C4D')
    expect(wrapper.find('[data-test="verify-invalid"]').exists()).toBe(false)
    expect(document.activeElement).toBe(verdict.element)
  })

  it.each([
    [{ intact: false, trusted: true }, 'Документ изменён после подписания: его содержимое не совпадает с тем, что подписал врач.'],
    [{ intact: true, trusted: false }, 'Документ подписан не ключом Центра телемедицины: это не заключение нашей клиники.'],
    [{ intact: false, trusted: false, reason: 'unsigned' }, 'В файле нет электронной подписи: это не заключение Центра телемедицины.'],
    [
      { intact: false, trusted: false, reason: 'damaged' },
      'Подпись повреждена: документ изменён после подписания или это не заключение Центра телемедицины.',
    ],
  ])('says plainly why a conclusion is not valid (%o)', async (flags, reason) => {
    verifyStub(() => jsonResponse(200, { ...VALID, valid: false, ...flags }))
    const { wrapper } = await mountWithRouter(App, '/verify')
    await choose(wrapper, pdfFile())
    const verdict = wrapper.find('[data-test="verify-invalid"]')
    expect(verdict.find('h2').text()).toBe('Подпись недействительна')
    expect(verdict.find('[data-test="verify-reason"]').text()).toBe(reason)
    expect(verdict.attributes('role')).toBe('alert')
    expect(wrapper.find('[data-test="verify-valid"]').exists()).toBe(false)
  })

  it('shows the server’s message for a file that is not a PDF', async () => {
    verifyStub(() => apiError(400, 'validation_error', 'Пришлите PDF-файл заключения.'))
    const { wrapper } = await mountWithRouter(App, '/verify')
    await choose(wrapper, new File(['hello'], 'note.txt', { type: 'text/plain' }))
    expect(wrapper.find('[data-test="verify-error"]').text()).toBe('Пришлите PDF-файл заключения.')
  })
})
