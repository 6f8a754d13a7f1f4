import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { setUser } from '../src/session'
import { heldBooking, NOW, plain } from './bookingFixtures'
import { apiError, deferredResponse, doctorPatient, jsonResponse, mountWithRouter, sentBodies, stubApi } from './helpers'

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

const doctor = { ...doctorPatient, id: 'd-1', full_name: 'Орлова Елена Дмитриевна', roles: ['doctor'] }

/** Started at 08:30 in Moscow; «now» is 09:00. */
const started = heldBooking({
  id: 'b-5',
  status: 'in_progress',
  starts_at: '2026-11-26T08:30:00+03:00',
  ends_at: '2026-11-26T09:00:00+03:00',
  hold_expires_at: null,
  payment_status: 'succeeded',
  room_id: 'r-5',
  patient: { id: 'u-7', full_name: 'Кузнецова Елена Сергеевна' },
  cancellation: null,
})
const later = { ...started, id: 'b-6', status: 'paid', starts_at: '2026-11-26T15:00:00+03:00', ends_at: '2026-11-26T15:30:00+03:00' }

const EMPTY = { complaints: '', anamnesis: '', examination: '', conclusion: '', recommendations: '' }

function conclusion(overrides: Record<string, unknown> = {}) {
  return {
    booking_id: 'b-5',
    status: 'empty',
    ...EMPTY,
    updated_at: null,
    signed_at: null,
    certificate_serial: null,
    last_error: null,
    ...overrides,
  }
}

function draftAnswer(body: unknown, at = '2026-11-26T06:32:00+00:00') {
  return jsonResponse(200, conclusion({ ...(body as object), status: 'draft', updated_at: at }))
}

function baseRoutes(id = 'b-5', booking: unknown = started) {
  return {
    [`GET /api/bookings/${id}`]: () => jsonResponse(200, booking),
    [`GET /api/bookings/${id}/attachments`]: () =>
      jsonResponse(200, [
        {
          id: 'a-1',
          filename: 'ЭКГ.pdf',
          content_type: 'application/pdf',
          size: 204800,
          status: 'ready',
          source: 'cabinet',
          uploaded_at: '2026-11-25T10:00:00+00:00',
          download_url: 'http://s3.local/attachments/b-5/a-1?X-Amz-Signature=x',
        },
      ]),
    [`GET /api/bookings/${id}/conclusion`]: () => jsonResponse(200, conclusion({ booking_id: id })),
  }
}

async function type(wrapper: Wrapper, field: string, value: string) {
  await wrapper.find(`#conclusion-${field}`).setValue(value)
}

function status(wrapper: Wrapper): string {
  return plain(wrapper.find('[data-test="conclusion-status"]').text())
}

describe('the doctor’s consultation page', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'], now: NOW })
    setUser(doctor)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('shows the patient, the time, the status and the documents, linked from «Мои консультации»', async () => {
    stubApi({
      ...baseRoutes(),
      'GET /api/doctor/consultations?date=2026-11-26': () => jsonResponse(200, [started]),
    })
    const { wrapper, router } = await mountWithRouter(App, '/doctor/today')
    await flushPromises()
    const link = wrapper.find('[data-test="consultation-link"]')
    expect(link.text()).toBe('Кузнецова Елена Сергеевна')
    expect(link.attributes('href')).toBe('/doctor/consultations/b-5')
    await link.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/doctor/consultations/b-5')

    expect(wrapper.find('main h1').text()).toBe('Консультация')
    expect(wrapper.find('[data-test="consultation-patient"]').text()).toBe('Кузнецова Елена Сергеевна')
    expect(plain(wrapper.find('[data-test="consultation-when"]').text())).toBe('четверг, 26 ноября, 08:30 (МСК)')
    expect(wrapper.find('[data-test="consultation-status"]').text()).toBe('Идёт консультация')
    const documents = wrapper.findAll('[data-test="consultation-documents"] [data-test="attachment"]')
    expect(documents).toHaveLength(1)
    expect(documents[0].find('[data-test="attachment-link"]').attributes('target')).toBe('_blank')
    expect(plain(documents[0].text())).toContain('ЭКГ.pdf')
    expect(plain(documents[0].text())).toContain('200 КБ')
    // «Открыть видеокомнату» when the site has the room's page (/room/:roomId).
    const hasRoom = router.resolve('/room/r-5').name !== 'not-found'
    expect(wrapper.find('[data-test="consultation-room"]').exists()).toBe(hasRoom)
    if (hasRoom) {
      expect(wrapper.find('[data-test="consultation-room"]').attributes('href')).toBe('/room/r-5')
      expect(wrapper.find('[data-test="consultation-room"]').text()).toBe('Открыть видеокомнату')
    }
    expect(['Жалобы', 'Анамнез', 'Данные осмотра', 'Заключение', 'Рекомендации']).toEqual(
      wrapper.findAll('[data-test="conclusion"] label').map((label) => label.text()),
    )
  })

  it('saves the draft 1.5 s after typing stops, once, and says when', async () => {
    const fetchMock = stubApi({ ...baseRoutes(), 'PUT /api/bookings/b-5/conclusion': (body) => draftAnswer(body) })
    const { wrapper } = await mountWithRouter(App, '/doctor/consultations/b-5')
    await flushPromises()

    await type(wrapper, 'complaints', 'Головная боль')
    vi.advanceTimersByTime(1000)
    await type(wrapper, 'complaints', 'Головная боль по утрам')
    vi.advanceTimersByTime(1400)
    await flushPromises()
    expect(sentBodies(fetchMock, 'PUT /api/bookings/b-5/conclusion')).toHaveLength(0)
    expect(status(wrapper)).toBe('Есть несохранённые изменения')

    vi.advanceTimersByTime(100)
    await wrapper.vm.$nextTick()
    expect(status(wrapper)).toBe('Сохраняем…')
    await flushPromises()
    expect(sentBodies(fetchMock, 'PUT /api/bookings/b-5/conclusion')).toEqual([{ ...EMPTY, complaints: 'Головная боль по утрам' }])
    expect(status(wrapper)).toBe('Черновик сохранён в 09:32')

    vi.advanceTimersByTime(5000)
    await flushPromises()
    expect(sentBodies(fetchMock, 'PUT /api/bookings/b-5/conclusion')).toHaveLength(1)
  })

  it('saves at once when the field is left, and again after a request in flight', async () => {
    const first = deferredResponse()
    let calls = 0
    const fetchMock = stubApi({
      ...baseRoutes(),
      'PUT /api/bookings/b-5/conclusion': (body) => (++calls === 1 ? first.promise : draftAnswer(body, '2026-11-26T06:33:00+00:00')),
    })
    const { wrapper } = await mountWithRouter(App, '/doctor/consultations/b-5')
    await flushPromises()

    await type(wrapper, 'anamnesis', 'Гипертония 5 лет')
    await wrapper.find('#conclusion-anamnesis').trigger('focusout')
    await flushPromises()
    expect(sentBodies(fetchMock, 'PUT /api/bookings/b-5/conclusion')).toHaveLength(1)

    await type(wrapper, 'examination', 'АД 140/90')
    await wrapper.find('#conclusion-examination').trigger('focusout')
    await flushPromises()
    // One request at a time: the second waits for the first.
    expect(sentBodies(fetchMock, 'PUT /api/bookings/b-5/conclusion')).toHaveLength(1)

    first.release(draftAnswer({ ...EMPTY, anamnesis: 'Гипертония 5 лет' }))
    await flushPromises()
    const bodies = sentBodies(fetchMock, 'PUT /api/bookings/b-5/conclusion')
    expect(bodies).toHaveLength(2)
    expect(bodies[1]).toEqual({ ...EMPTY, anamnesis: 'Гипертония 5 лет', examination: 'АД 140/90' })
    expect(status(wrapper)).toBe('Черновик сохранён в 09:33')
  })

  it('before the start says so, and shows the server’s message when saving is not possible yet', async () => {
    const notReady = 'Заключение можно писать с начала консультации.'
    stubApi({
      ...baseRoutes('b-6', later),
      'PUT /api/bookings/b-6/conclusion': () => apiError(409, 'conclusion_not_ready', notReady),
    })
    const { wrapper } = await mountWithRouter(App, '/doctor/consultations/b-6')
    await flushPromises()
    expect(wrapper.find('[data-test="conclusion-before-start"]').text()).toBe(
      'Заключение можно сохранить и подписать с начала консультации — с 15:00 (МСК).',
    )
    await type(wrapper, 'complaints', 'Кашель')
    vi.advanceTimersByTime(1500)
    await flushPromises()
    expect(wrapper.find('[data-test="conclusion-not-ready"]').text()).toBe(notReady)
    expect((wrapper.find('#conclusion-complaints').element as HTMLTextAreaElement).value).toBe('Кашель')
  })

  it('signs only after the confirmation and then shows the certificate and the PDF', async () => {
    const signing = deferredResponse()
    const fetchMock = stubApi({
      ...baseRoutes(),
      'POST /api/bookings/b-5/conclusion': () => signing.promise,
    })
    const { wrapper } = await mountWithRouter(App, '/doctor/consultations/b-5')
    await flushPromises()
    await type(wrapper, 'conclusion', 'Гипертоническая болезнь II ст.')

    await wrapper.find('[data-test="conclusion-sign"]').trigger('submit')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-5/conclusion')).toHaveLength(0)
    const confirm = wrapper.find('[data-test="conclusion-confirm"]')
    expect(plain(confirm.text())).toContain('После подписания текст заключения изменить нельзя.')

    await confirm.find('[data-test="conclusion-confirm-yes"]').trigger('click')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-5/conclusion')).toEqual([
      { ...EMPTY, conclusion: 'Гипертоническая болезнь II ст.' },
    ])
    const button = wrapper.find('[data-test="conclusion-sign"]')
    expect(button.text()).toBe('Подписываем…')
    expect(button.attributes('disabled')).toBeDefined()
    expect(wrapper.find('fieldset').attributes('disabled')).toBeDefined()

    signing.release(
      jsonResponse(
        201,
        conclusion({
          status: 'signed',
          conclusion: 'Гипертоническая болезнь II ст.',
          signed_at: '2026-11-26T06:40:00+00:00',
          certificate_serial: '1A2B3C4D',
        }),
      ),
    )
    await flushPromises()
    const done = wrapper.find('[data-test="conclusion-signed"]')
    expect(plain(done.text())).toContain('Заключение подписано и отправлено пациенту')
    expect(done.find('[data-test="conclusion-serial"]').text()).toBe('1A2B3C4D')
    expect(done.find('[data-test="conclusion-pdf"]').attributes('href')).toBe('/api/bookings/b-5/conclusion/pdf')
    expect(wrapper.find('[data-test="signed-conclusion"]').text()).toBe('Гипертоническая болезнь II ст.')
    expect(wrapper.find('textarea').exists()).toBe(false)
    expect(wrapper.find('[data-test="consultation-status"]').text()).toBe('Консультация проведена')
    expect(wrapper.find('[data-test="consultation-room"]').exists()).toBe(false)
  })

  it('keeps the text and offers to try again when signing fails', async () => {
    const failed = 'Не удалось подписать заключение: служба подписи не ответила. Черновик сохранён — попробуйте, пожалуйста, ещё раз через минуту.'
    let attempts = 0
    const fetchMock = stubApi({
      ...baseRoutes(),
      'POST /api/bookings/b-5/conclusion': (body) =>
        ++attempts === 1
          ? apiError(503, 'signing_failed', failed)
          : jsonResponse(201, conclusion({ ...(body as object), status: 'signed', certificate_serial: '1A2B' })),
    })
    const { wrapper } = await mountWithRouter(App, '/doctor/consultations/b-5')
    await flushPromises()
    await type(wrapper, 'conclusion', 'ОРВИ')
    await type(wrapper, 'recommendations', 'Обильное питьё')

    await wrapper.find('form').trigger('submit')
    await wrapper.find('[data-test="conclusion-confirm-yes"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-test="conclusion-sign-error"]').text()).toBe(failed)
    expect((wrapper.find('#conclusion-conclusion').element as HTMLTextAreaElement).value).toBe('ОРВИ')
    expect((wrapper.find('#conclusion-recommendations').element as HTMLTextAreaElement).value).toBe('Обильное питьё')
    // The server kept the draft while trying: nothing is waiting to be saved.
    vi.advanceTimersByTime(2000)
    await flushPromises()
    expect(sentBodies(fetchMock, 'PUT /api/bookings/b-5/conclusion')).toHaveLength(0)

    await wrapper.find('form').trigger('submit')
    await wrapper.find('[data-test="conclusion-confirm-yes"]').trigger('click')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-5/conclusion')).toHaveLength(2)
    expect(wrapper.find('[data-test="conclusion-signed"]').exists()).toBe(true)
  })

  it('puts «Заполните хотя бы раздел «Заключение»» next to that field', async () => {
    const empty = 'Заполните хотя бы раздел «Заключение».'
    stubApi({ ...baseRoutes(), 'POST /api/bookings/b-5/conclusion': () => apiError(400, 'conclusion_empty', empty) })
    const { wrapper } = await mountWithRouter(App, '/doctor/consultations/b-5')
    await flushPromises()
    await wrapper.find('form').trigger('submit')
    await wrapper.find('[data-test="conclusion-confirm-yes"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('#conclusion-conclusion-error').text()).toBe(empty)
    expect(wrapper.find('#conclusion-conclusion').attributes('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(wrapper.find('#conclusion-conclusion').element)
  })

  it('shows a signed conclusion as it was sent', async () => {
    stubApi({
      ...baseRoutes('b-5', { ...started, status: 'completed' }),
      'GET /api/bookings/b-5/conclusion': () =>
        jsonResponse(200, conclusion({ status: 'signed', complaints: 'Кашель', conclusion: 'ОРВИ', certificate_serial: 'FF01' })),
    })
    const { wrapper } = await mountWithRouter(App, '/doctor/consultations/b-5')
    await flushPromises()
    expect(wrapper.find('textarea').exists()).toBe(false)
    expect(wrapper.find('[data-test="signed-complaints"]').text()).toBe('Кашель')
    expect(wrapper.find('[data-test="signed-anamnesis"]').text()).toBe('—')
    expect(wrapper.find('[data-test="conclusion-serial"]').text()).toBe('FF01')
  })

  it('is for the doctor role only', async () => {
    setUser({ ...doctorPatient, roles: ['patient'] })
    const fetchMock = stubApi({})
    const { wrapper } = await mountWithRouter(App, '/doctor/consultations/b-5')
    await flushPromises()
    expect(wrapper.find('[data-test="no-access"]').exists()).toBe(true)
    expect(fetchMock).not.toHaveBeenCalled()
  })
})
