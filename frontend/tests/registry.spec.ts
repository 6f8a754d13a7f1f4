import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import App from '../src/App.vue'
import { heldBooking, plain } from './bookingFixtures'
import { setActiveRole, setUser } from '../src/session'
import {
  apiError,
  deferredResponse,
  doctorPatient,
  jsonResponse,
  mountWithRouter,
  registrar,
  sentBodies,
  stubApi,
} from './helpers'

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

const request = {
  id: 'r-1',
  full_name: 'Кузнецова Елена Сергеевна',
  email: 'elena@example.ru',
  phone: '+7 921 555-12-34',
  comment: 'Хотела бы к кардиологу',
  status: 'new',
  // 04:30 UTC is 07:30 in Moscow; the API sends microseconds.
  created_at: '2026-11-26T04:30:12.123456+00:00',
  handled_at: null,
}

const openedCard = {
  id: 'p-1',
  full_name: 'Кузнецова Елена Сергеевна',
  email: 'elena@example.ru',
  phone: '+7 921 555-12-34',
  birth_date: '1979-03-08',
  card_number: '2026-000042',
  roles: ['patient'],
  must_change_password: true,
  credentials_sent: true,
}

async function fillCard(wrapper: Wrapper) {
  await wrapper.find('#patient-full-name').setValue('Кузнецова Елена Сергеевна')
  await wrapper.find('#patient-birth-date').setValue('1979-03-08')
  await wrapper.find('#patient-email').setValue(' elena@example.ru ')
  await wrapper.find('#patient-phone').setValue('+7 921 555-12-34')
}

describe('registry pages', () => {
  it('tell a patient politely that they are for the registry, without asking the API', async () => {
    setUser({ ...doctorPatient, roles: ['patient'] })
    const fetchMock = stubApi({})
    for (const path of ['/registry/requests', '/registry/patients/new', '/registry/patients/find']) {
      const { wrapper } = await mountWithRouter(App, path)
      await flushPromises()
      expect(wrapper.find('[data-test="no-access"]').text()).toContain('Этот раздел предназначен для сотрудников регистратуры')
      expect(wrapper.find('main form').exists()).toBe(false)
      wrapper.unmount()
    }
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('offer a registrar whose active role is another one to switch', async () => {
    setUser({ ...registrar, roles: ['patient', 'registrar'] })
    setActiveRole('patient')
    stubApi({ 'GET /api/registration-requests?status=new': () => jsonResponse(200, []) })
    const { wrapper } = await mountWithRouter(App, '/registry/requests')
    expect(wrapper.find('[data-test="no-access"]').text()).toContain('Этот раздел доступен в роли «регистратура»')
    await wrapper.find('[data-test="no-access"] button').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-test="no-access"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="requests-empty"]').text()).toBe('Новых заявок нет.')
  })

  it('appear in the header only for the registry role', async () => {
    setUser({ ...registrar, roles: ['patient', 'registrar'] })
    setActiveRole('patient')
    stubApi({})
    const { wrapper } = await mountWithRouter(App, '/')
    expect(wrapper.find('nav a[href="/registry/requests"]').exists()).toBe(false)
    setActiveRole('registrar')
    await wrapper.vm.$nextTick()
    expect(wrapper.find('nav a[href="/registry/requests"]').text()).toBe('Заявки')
    expect(wrapper.find('nav a[href="/registry/patients/new"]').text()).toBe('Новая карта')
    expect(wrapper.find('nav a[href="/registry/patients/find"]').text()).toBe('Поиск пациента')
  })
})

describe('RegistryRequestsView', () => {
  it('lists the new requests with the time in Moscow', async () => {
    setUser(registrar)
    stubApi({ 'GET /api/registration-requests?status=new': () => jsonResponse(200, [request]) })
    const { wrapper } = await mountWithRouter(App, '/registry/requests')
    await flushPromises()

    const tabs = wrapper.findAll('[role="tab"]')
    expect(tabs.map((tab) => tab.text())).toEqual(['Новые', 'Обработанные', 'Отклонённые'])
    expect(tabs[0].attributes('aria-selected')).toBe('true')
    const item = wrapper.find('[data-test="request"]')
    expect(item.find('h2').text()).toBe('Кузнецова Елена Сергеевна')
    expect(item.text()).toContain('elena@example.ru')
    expect(item.text()).toContain('+7 921 555-12-34')
    expect(item.text()).toContain('Хотела бы к кардиологу')
    expect(item.text()).toMatch(/26 ноября 2026 г\.,? (в )?07:30/)
    expect(item.find('a[href="tel:+79215551234"]').exists()).toBe(true)
  })

  it('switches tabs and asks for that status', async () => {
    setUser(registrar)
    const fetchMock = stubApi({
      'GET /api/registration-requests?status=new': () => jsonResponse(200, [request]),
      'GET /api/registration-requests?status=rejected': () => jsonResponse(200, []),
    })
    const { wrapper, router } = await mountWithRouter(App, '/registry/requests')
    await flushPromises()
    await wrapper.findAll('[role="tab"]')[2].trigger('click')
    await flushPromises()

    expect(fetchMock.mock.calls.map(([url]) => url)).toContain('/api/registration-requests?status=rejected')
    expect(wrapper.findAll('[role="tab"]')[2].attributes('aria-selected')).toBe('true')
    expect(wrapper.find('[data-test="requests-empty"]').text()).toBe('Отклонённых заявок нет.')
    expect(router.currentRoute.value.query.status).toBe('rejected')
  })

  it('rejects a request and takes it off the list', async () => {
    setUser(registrar)
    const fetchMock = stubApi({
      'GET /api/registration-requests?status=new': () => jsonResponse(200, [request]),
      'POST /api/registration-requests/r-1/status': () => jsonResponse(200, { ...request, status: 'rejected' }),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/requests')
    await flushPromises()
    const reject = wrapper.findAll('[data-test="request"] button').filter((b) => b.text() === 'Отклонить')[0]
    await reject.trigger('click')
    await flushPromises()

    expect(sentBodies(fetchMock, 'POST /api/registration-requests/r-1/status')).toEqual([{ status: 'rejected' }])
    expect(wrapper.find('[data-test="request"]').exists()).toBe(false)
    expect(wrapper.find('main [role="status"]').text()).toContain('Заявка Кузнецова Елена Сергеевна отклонена')
  })

  it('opens the new-card form prefilled from the request and sends its id', async () => {
    setUser(registrar)
    const fetchMock = stubApi({
      'GET /api/registration-requests?status=new': () => jsonResponse(200, [request]),
      'POST /api/patients': () => jsonResponse(201, openedCard),
    })
    const { wrapper, router } = await mountWithRouter(App, '/registry/requests')
    await flushPromises()
    await wrapper.find('[data-test="request"] button').trigger('click')
    await flushPromises()

    expect(router.currentRoute.value.fullPath).toBe('/registry/patients/new?request_id=r-1')
    expect((wrapper.find('#patient-full-name').element as HTMLInputElement).value).toBe('Кузнецова Елена Сергеевна')
    expect((wrapper.find('#patient-email').element as HTMLInputElement).value).toBe('elena@example.ru')
    expect((wrapper.find('#patient-phone').element as HTMLInputElement).value).toBe('+7 921 555-12-34')
    expect(wrapper.find('[data-test="from-request"]').text()).toContain('Хотела бы к кардиологу')

    await wrapper.find('#patient-birth-date').setValue('1979-03-08')
    await wrapper.find('main form').trigger('submit')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/patients')).toEqual([
      {
        full_name: 'Кузнецова Елена Сергеевна',
        birth_date: '1979-03-08',
        email: 'elena@example.ru',
        phone: '+7 921 555-12-34',
        request_id: 'r-1',
      },
    ])
  })

  it('finds the request itself when the new-card address is opened directly', async () => {
    setUser(registrar)
    stubApi({ 'GET /api/registration-requests?status=new': () => jsonResponse(200, [{ ...request, id: 'r-9' }]) })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/new?request_id=r-9')
    await flushPromises()
    expect((wrapper.find('#patient-full-name').element as HTMLInputElement).value).toBe('Кузнецова Елена Сергеевна')
  })
})

describe('RegistryNewPatientView', () => {
  it('shows the server’s field messages next to the fields', async () => {
    setUser(registrar)
    stubApi({
      'POST /api/patients': () =>
        apiError(400, 'validation_error', 'Проверьте, пожалуйста, заполнение полей.', {
          full_name: 'Не короче 3 символов.',
          phone: 'Укажите телефон, например +7 812 123-45-67.',
          birth_date: 'Проверьте дату рождения.',
        }),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/new')
    await fillCard(wrapper)
    await wrapper.find('main form').trigger('submit')
    await flushPromises()

    expect(wrapper.find('#patient-full-name-error').text()).toBe('Не короче 3 символов.')
    expect(wrapper.find('#patient-phone-error').text()).toBe('Укажите телефон, например +7 812 123-45-67.')
    expect(wrapper.find('#patient-birth-date-error').text()).toBe('Проверьте дату рождения.')
    expect(wrapper.find('#patient-email-error').exists()).toBe(false)
    expect(wrapper.find('main [role="alert"]').text()).toBe('Проверьте, пожалуйста, заполнение полей.')
    expect(document.activeElement).toBe(wrapper.find('#patient-full-name').element)
  })

  it('puts a taken email next to the email field and offers to find that card', async () => {
    setUser(registrar)
    const message = 'Этот адрес электронной почты уже используется в другой медицинской карте.'
    stubApi({ 'POST /api/patients': () => apiError(409, 'email_taken', message) })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/new')
    await fillCard(wrapper)
    await wrapper.find('main form').trigger('submit')
    await flushPromises()

    expect(wrapper.find('#patient-email-error').text()).toBe(message)
    const link = wrapper.find('main .form__aside a')
    expect(link.text()).toBe('Найти карту с этим адресом')
    expect(decodeURIComponent(link.attributes('href') as string)).toBe('/registry/patients/find?email=elena@example.ru')
  })

  it('disables the button while sending, then shows the card number and that the email went out', async () => {
    setUser(registrar)
    const pending = deferredResponse()
    stubApi({ 'POST /api/patients': () => pending.promise })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/new')
    await fillCard(wrapper)
    await wrapper.find('main form').trigger('submit')
    expect(wrapper.find('main button[type="submit"]').attributes('disabled')).toBeDefined()

    pending.release(jsonResponse(201, openedCard))
    await flushPromises()
    expect(wrapper.find('[data-test="card-number"]').text()).toBe('2026-000042')
    expect(wrapper.find('[data-test="credentials-sent"]').text()).toBe(
      'Логин и временный пароль отправлены на elena@example.ru.',
    )
    expect(wrapper.text()).toContain('8 марта 1979 г.')
  })

  it('warns when the credentials email failed and sends it again', async () => {
    setUser(registrar)
    const fetchMock = stubApi({
      'POST /api/patients': () => jsonResponse(201, { ...openedCard, credentials_sent: false }),
      'POST /api/patients/p-1/credentials': () => jsonResponse(200, openedCard),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/new')
    await fillCard(wrapper)
    await wrapper.find('main form').trigger('submit')
    await flushPromises()

    const warning = wrapper.find('[data-test="credentials-not-sent"]')
    expect(warning.text()).toContain('отправить не удалось')
    await warning.find('button').trigger('click')
    await flushPromises()

    expect(fetchMock.mock.calls.map(([url]) => url)).toContain('/api/patients/p-1/credentials')
    expect(wrapper.find('[data-test="credentials-not-sent"]').exists()).toBe(false)
    expect(wrapper.find('main [role="status"]').text()).toBe('Логин и временный пароль отправлены на elena@example.ru.')
  })
})

describe('RegistryFindPatientView', () => {
  const found = { ...openedCard, credentials_sent: undefined }
  // The search's line for the same card: found by the address, then opened whole (password state, bookings).
  const byEmail = () =>
    jsonResponse(200, {
      kind: 'email',
      next: null,
      patients: [{ id: 'p-1', full_name: found.full_name, email: found.email, phone: '+79215551234', birth_date: found.birth_date, card_number: found.card_number }],
    })

  it('says plainly when there is no card with the address', async () => {
    setUser(registrar)
    stubApi({
      'POST /api/patients/find': () => jsonResponse(200, { kind: 'email', next: null, patients: [] }),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/find')
    await wrapper.find('#find-query').setValue('nobody@example.ru')
    await wrapper.find('main form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-test="not-found"]').text()).toContain('Медицинской карты с адресом nobody@example.ru нет.')
  })

  it('shows the card and sends a new temporary password only after confirmation', async () => {
    setUser(registrar)
    const fetchMock = stubApi({
      'POST /api/patients/find': byEmail,
      'POST /api/patients/search': () => jsonResponse(200, { ...found, must_change_password: false }),
      'POST /api/patients/p-1/credentials': () => jsonResponse(200, { ...openedCard, credentials_sent: true }),
      'GET /api/patients/p-1/bookings': () => jsonResponse(200, []),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/find?email=elena@example.ru')
    await flushPromises()

    const card = wrapper.find('[data-test="patient-card"]')
    expect(card.find('h2').text()).toBe('Кузнецова Елена Сергеевна')
    expect(card.find('[data-test="card-number"]').text()).toBe('2026-000042')
    expect(card.text()).toContain('8 марта 1979 г.')
    expect(card.find('[data-test="password-state"]').text()).toBe('Пациент задал собственный пароль')

    await card.find('button').trigger('click')
    expect(wrapper.text()).toContain('Прежний пароль пациента перестанет действовать')
    expect(fetchMock.mock.calls.map(([url]) => url)).not.toContain('/api/patients/p-1/credentials')

    const confirm = wrapper.findAll('[data-test="patient-card"] button').filter((b) => b.text() === 'Да, отправить')[0]
    await confirm.trigger('click')
    await flushPromises()
    expect(fetchMock.mock.calls.map(([url]) => url)).toContain('/api/patients/p-1/credentials')
    expect(wrapper.find('[data-test="patient-card"] [role="status"]').text()).toBe(
      'Новый временный пароль отправлен на elena@example.ru. Прежний пароль больше не действует.',
    )
    expect(wrapper.find('[data-test="password-state"]').text()).toContain('Временный')
  })

  it('says on the card when the patient withdrew the personal-data consent, and says nothing otherwise', async () => {
    setUser(registrar)
    let withdrawnAt: string | null = '2026-11-26T05:30:00+00:00'
    stubApi({
      'POST /api/patients/find': byEmail,
      'POST /api/patients/search': () => jsonResponse(200, { ...found, personal_data_withdrawn_at: withdrawnAt }),
      'GET /api/patients/p-1/bookings': () => jsonResponse(200, []),
    })
    const first = await mountWithRouter(App, '/registry/patients/find?email=elena@example.ru')
    await flushPromises()
    expect(first.wrapper.find('[data-test="consent-withdrawn"]').text()).toMatch(
      /^Согласие на обработку ПДн отозвано 26 ноября 2026 г\. в 08:30 \(МСК\)\./,
    )
    first.wrapper.unmount()
    withdrawnAt = null
    const second = await mountWithRouter(App, '/registry/patients/find?email=elena@example.ru')
    await flushPromises()
    expect(second.wrapper.find('[data-test="patient-card"]').exists()).toBe(true)
    expect(second.wrapper.find('[data-test="consent-withdrawn"]').exists()).toBe(false)
  })

  it('lists the patient’s bookings, newest first, with their state and sum, and says the read is logged', async () => {
    setUser(registrar)
    const paid = heldBooking({ id: 'b-9', status: 'paid', hold_expires_at: null, starts_at: '2026-12-01T10:00:00+03:00' })
    const cancelled = heldBooking({ id: 'b-8', status: 'cancelled', hold_expires_at: null, cancellation: null })
    stubApi({
      'POST /api/patients/find': byEmail,
      'POST /api/patients/search': () => jsonResponse(200, found),
      'GET /api/patients/p-1/bookings': () => jsonResponse(200, [paid, cancelled]),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/find?email=elena@example.ru')
    await flushPromises()

    const section = wrapper.find('[data-test="patient-bookings"]')
    expect(section.find('h2').text()).toBe('Записи к врачу')
    expect(section.text()).toContain('отмечается в журнале доступа')
    const items = section.findAll('[data-test="booking"]')
    expect(items.map((li) => plain(li.find('h3').text()))[0]).toBe('вторник, 1 декабря, 10:00 (МСК)')
    expect(items.map((li) => li.find('[data-test="booking-status"]').text())).toEqual(['Оплачена', 'Отменена'])
  })

  it('says when the patient has no bookings, and offers to retry when they could not be loaded', async () => {
    setUser(registrar)
    let answers = 0
    stubApi({
      'POST /api/patients/find': byEmail,
      'POST /api/patients/search': () => jsonResponse(200, found),
      'GET /api/patients/p-1/bookings': () =>
        ++answers === 1 ? apiError(503, 'unavailable', 'Сервис временно недоступен. Попробуйте через минуту.') : jsonResponse(200, []),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/find?email=elena@example.ru')
    await flushPromises()
    const section = wrapper.find('[data-test="patient-bookings"]')
    expect(section.text()).toContain('Сервис временно недоступен')
    await section.find('button').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-test="patient-bookings-empty"]').text()).toBe('У пациента нет записей к врачу.')
  })

  it('cancels a paid booking for the patient with a full refund, after saying so', async () => {
    setUser(registrar)
    const paid = heldBooking({ id: 'b-9', status: 'paid', hold_expires_at: null, price: 2500 })
    const fetchMock = stubApi({
      'POST /api/patients/find': byEmail,
      'POST /api/patients/search': () => jsonResponse(200, found),
      'GET /api/patients/p-1/bookings': () => jsonResponse(200, [paid]),
      'POST /api/bookings/b-9/cancel': () => jsonResponse(200, { ...paid, status: 'refunded', cancellation: null }),
    })
    const { wrapper } = await mountWithRouter(App, '/registry/patients/find?email=elena@example.ru')
    await flushPromises()
    const section = wrapper.find('[data-test="patient-bookings"]')
    await section.find('[data-test="cancel-open"]').trigger('click')
    expect(plain(section.find('[data-test="cancel-rule"]').text())).toContain(
      'Деньги — 2 500 ₽ — вернутся пациенту полностью',
    )
    expect(fetchMock.mock.calls.map(([url]) => url)).not.toContain('/api/bookings/b-9/cancel')
    await section.find('[data-test="cancel-confirm"] .button--danger').trigger('click')
    await flushPromises()
    expect(plain(wrapper.find('[data-test="patient-bookings"] [data-test="cancel-done"]').text())).toBe(
      'Запись отменена. Деньги — 2 500 ₽ — возвращаются пациенту на карту; письмо об этом отправлено пациенту.',
    )
    expect(wrapper.find('[data-test="patient-bookings"] [data-test="booking-status"]').text()).toBe('Деньги возвращены')
  })
})
