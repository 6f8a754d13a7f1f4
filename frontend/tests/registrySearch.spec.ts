import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import App from '../src/App.vue'
import { formatPhone, russianPhone, splitName } from '../src/registry'
import { setUser } from '../src/session'
import { apiError, deferredResponse, jsonResponse, mountWithRouter, registrar, sentBodies, stubApi, signedOutSession } from './helpers'

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

function row(n: number, surname = 'Петрова') {
  return {
    id: `p-${n}`,
    full_name: `${surname} Анна ${n}`,
    email: `anna${n}@example.ru`,
    phone: '+79123456789',
    birth_date: '1985-04-12',
    card_number: `2026-00000${n}`,
  }
}

async function searchFor(wrapper: Wrapper, text: string) {
  await wrapper.find('#find-query').setValue(text)
  await wrapper.find('main form').trigger('submit')
}

describe('a Russian phone number', () => {
  it('is 11 digits after +7 or 8, spaces, dashes and brackets allowed, and becomes +7…', () => {
    expect(russianPhone('+7 912 345-67-89')).toBe('+79123456789')
    expect(russianPhone('8 (912) 345-67-89')).toBe('+79123456789')
    expect(russianPhone('89123456789')).toBe('+79123456789')
    expect(russianPhone('912 345-67-89')).toBeNull() // 10 digits
    expect(russianPhone('+7 912 345-67-890')).toBeNull() // 12 digits
    expect(russianPhone('+8 912 345-67-89')).toBeNull()
    expect(russianPhone('8 912 345 67 89 доб. 5')).toBeNull()
  })

  it('is shown in groups, and a name is split into the surname and the rest', () => {
    expect(formatPhone('+79123456789')).toBe('+7 912 345-67-89')
    expect(formatPhone(null)).toBe('—')
    expect(splitName('Петрова Анна Викторовна')).toEqual({ surname: 'Петрова', rest: 'Анна Викторовна' })
  })
})

describe('RegistryFindPatientView: one box for a surname, a phone, a card or an email', () => {
  it('lists what was found and shows more, page after page', async () => {
    setUser(registrar)
    const fetchMock = stubApi({
      'POST /api/patients/find': (body) =>
        (body as { next?: string }).next === 'c-2'
          ? jsonResponse(200, { kind: 'surname', next: null, patients: [row(3)] })
          : jsonResponse(200, { kind: 'surname', next: 'c-2', patients: [row(1), row(2)] }),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/find')
    expect(wrapper.find('#find-query-hint').text()).toContain('8 912 345-67-89')
    await searchFor(wrapper, ' петр ')
    await flushPromises()

    expect(wrapper.find('[data-test="found-by"]').text()).toBe('Поиск по фамилии')
    const first = wrapper.findAll('[data-test="result"]')
    expect(first.map((r) => r.find('[data-test="result-surname"]').text())).toEqual(['Петрова', 'Петрова'])
    expect(first[0].text()).toContain('Анна 1')
    expect(first[0].text()).toContain('12 апреля 1985')
    expect(first[0].find('[data-test="result-phone"]').text()).toBe('+7 912 345-67-89')
    expect(first[0].find('[data-test="result-card"]').text()).toBe('2026-000001')

    await wrapper.find('[data-test="more"]').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[data-test="result"]').map((r) => r.find('[data-test="result-card"]').text())).toEqual([
      '2026-000001',
      '2026-000002',
      '2026-000003',
    ])
    expect(wrapper.find('[data-test="more"]').exists()).toBe(false)
    expect(sentBodies(fetchMock, 'POST /api/patients/find')).toEqual([{ q: 'петр' }, { q: 'петр', next: 'c-2' }])
  })

  it('shows only the latest search when an earlier one answers late', async () => {
    setUser(registrar)
    const slow = deferredResponse()
    stubApi({
      'POST /api/patients/find': (body) =>
        (body as { q: string }).q === 'петр'
          ? slow.promise
          : jsonResponse(200, { kind: 'surname', next: null, patients: [row(7, 'Сидорова')] }),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/find')
    await searchFor(wrapper, 'петр')
    await searchFor(wrapper, 'сидор')
    await flushPromises()
    slow.release(jsonResponse(200, { kind: 'surname', next: null, patients: [row(1)] }))
    await flushPromises()
    expect(wrapper.findAll('[data-test="result-surname"]').map((c) => c.text())).toEqual(['Сидорова'])
  })

  it('says what to type when the text is too short to search, and when nobody is found', async () => {
    setUser(registrar)
    stubApi({
      'POST /api/patients/find': (body) =>
        (body as { q: string }).q === '8 9'
          ? apiError(400, 'validation_error', 'Проверьте, пожалуйста, заполнение полей.', {
              q: 'Введите телефон начиная с +7 или 8 и кода оператора, например 8 912.',
            })
          : jsonResponse(200, { kind: 'surname', next: null, patients: [] }),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/find')
    await searchFor(wrapper, '8 9')
    await flushPromises()
    expect(wrapper.find('#find-query-error').text()).toContain('кода оператора')
    await searchFor(wrapper, 'Щукина')
    await flushPromises()
    expect(wrapper.find('#find-query-error').exists()).toBe(false)
    expect(wrapper.find('[data-test="none-found"]').text()).toContain('По запросу «Щукина» никого не нашли')
  })
})

describe('the phone in the forms', () => {
  it('is checked before the new card is sent, with what to type', async () => {
    setUser(registrar)
    const fetchMock = stubApi({})
    const { wrapper } = await mountWithRouter(App, '/registry/patients/new')
    await wrapper.find('#patient-full-name').setValue('Кузнецова Елена Сергеевна')
    await wrapper.find('#patient-birth-date').setValue('1979-03-08')
    await wrapper.find('#patient-email').setValue('elena@example.ru')
    await wrapper.find('#patient-phone').setValue('921 555-12-34')
    await wrapper.find('main form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('#patient-phone-error').text()).toContain('российский номер из 11 цифр')
    expect(sentBodies(fetchMock, 'POST /api/patients')).toEqual([])
  })

  it('goes to the server as typed when it is a Russian number', async () => {
    const fetchMock = stubApi({
      'GET /api/session': signedOutSession,
      'POST /api/registration-requests': () =>
        jsonResponse(201, {
          id: 'r-1',
          full_name: 'Кузнецов Павел',
          email: 'pavel@example.ru',
          phone: '+79123456789',
          status: 'new',
          created_at: '2026-12-02T10:00:00+00:00',
        }),
    })
    const { wrapper } = await mountWithRouter(App, '/request')
    await wrapper.find('#request-full-name').setValue('Кузнецов Павел')
    await wrapper.find('#request-email').setValue('pavel@example.ru')
    await wrapper.find('#request-phone').setValue('8 (912) 345-67-89')
    await wrapper.find('main form').trigger('submit')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/registration-requests')).toEqual([
      { full_name: 'Кузнецов Павел', email: 'pavel@example.ru', phone: '8 (912) 345-67-89' },
    ])
    expect(wrapper.find('[data-test="request-sent"]').exists()).toBe(true)
  })
})
