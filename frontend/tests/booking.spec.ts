import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { leaveSite } from '../src/navigation'
import { setActiveRole, setUser } from '../src/session'
import {
  cardiologist,
  heldBooking,
  legalDocuments,
  NOW,
  patient,
  plain,
  slot0930,
  slot1430,
  slot1500,
  slotMonday,
  SLOTS_URL,
  specialties,
} from './bookingFixtures'
import { apiError, doctorPatient, jsonResponse, mountWithRouter, notSignedIn, sentBodies, stubApi } from './helpers'

vi.mock('../src/navigation', () => ({ leaveSite: vi.fn() }))

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

const CONFIRM_PATH = `/booking?step=confirm&specialty=cardiology&doctor=d-1&day=2026-11-27&slot=${slot1430.id}`

function buttonsNamed(wrapper: Wrapper, selector: string, name: string) {
  return wrapper.findAll(selector).filter((button) => plain(button.text()).indexOf(name) !== -1)
}

async function click(wrapper: Wrapper, selector: string, name?: string) {
  const found = name ? buttonsNamed(wrapper, selector, name) : wrapper.findAll(selector)
  expect(found.length, `${selector} ${name || ''}`).toBeGreaterThan(0)
  await found[0].trigger('click')
  await flushPromises()
}

describe('booking wizard', () => {
  beforeEach(() => {
    vi.mocked(leaveSite).mockClear()
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('starts with the seed’s intro and «Воспользоваться сервисом», and sends a signed-out visitor to sign in', async () => {
    stubApi({ 'GET /api/me': () => notSignedIn() })
    const { wrapper, router } = await mountWithRouter(App, '/booking')
    await flushPromises()
    const main = wrapper.find('main')
    expect(main.find('h1').text()).toBe('Запись к врачу')
    expect(main.text()).toContain('Выберите специальность врача.')
    expect(main.find('[data-test="sign-in-needed"]').text()).toContain('войдите в личный кабинет')

    await click(wrapper, '[data-test="start"]')
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.next).toBe('/booking?step=specialty')
  })

  it('tells a person without the patient role politely that booking is for patients', async () => {
    setUser({ ...doctorPatient, roles: ['doctor'] })
    const fetchMock = stubApi({})
    const { wrapper } = await mountWithRouter(App, '/booking?step=specialty')
    await flushPromises()
    expect(wrapper.find('[data-test="no-access"]').text()).toContain('доступны пациентам Центра')
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('offers a doctor who is also a patient to switch to the patient role', async () => {
    setUser(doctorPatient)
    setActiveRole('doctor')
    stubApi({ 'GET /api/specialties': () => jsonResponse(200, specialties) })
    const { wrapper } = await mountWithRouter(App, '/booking?step=specialty')
    expect(wrapper.find('[data-test="no-access"]').text()).toContain('в роли «пациент»')
    await wrapper.find('[data-test="no-access"] button').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[data-test="specialty"]')).toHaveLength(2)
  })

  it('walks specialty → doctor → day → time → confirmation and holds the slot', async () => {
    setUser(patient)
    const fetchMock = stubApi({
      'GET /api/specialties': () => jsonResponse(200, specialties),
      'GET /api/doctors?specialty=cardiology': () => jsonResponse(200, [cardiologist]),
      [SLOTS_URL]: () => jsonResponse(200, [slot0930, slot1430, slotMonday]),
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: true, consent: true })),
      'POST /api/bookings': () => jsonResponse(201, heldBooking()),
    })
    const { wrapper, router } = await mountWithRouter(App, '/booking')
    await click(wrapper, '[data-test="start"]')

    // Step 1: specialty.
    expect(wrapper.find('[aria-current="step"]').text()).toContain('Специальность')
    expect(wrapper.findAll('[data-test="specialty"]').map((b) => b.find('.choice__title').text())).toEqual([
      'Кардиология',
      'Терапия',
    ])
    await click(wrapper, '[data-test="specialty"]', 'Кардиология')

    // Step 2: doctor with bio, price and duration.
    expect(router.currentRoute.value.query).toMatchObject({ step: 'doctor', specialty: 'cardiology' })
    expect(wrapper.find('#step-title').text()).toBe('Выберите врача: Кардиология')
    // A new step's heading takes the focus (a screen reader starts reading there).
    expect(document.activeElement).toBe(wrapper.find('#step-title').element)
    const card = wrapper.find('[data-test="doctor"]')
    expect(card.find('h3').text()).toBe('Орлова Елена Дмитриевна')
    expect(card.text()).toContain('кандидат медицинских наук')
    expect(plain(card.find('[data-test="doctor-price"]').text())).toBe('3 500 ₽')
    expect(card.text()).toContain('консультация 30 мин')
    await card.find('button').trigger('click')
    await flushPromises()

    // Step 3: the next 14 days, days without free time disabled; the first free day chosen.
    expect(router.currentRoute.value.query).toMatchObject({ step: 'time', doctor: 'd-1' })
    const days = wrapper.findAll('[data-test="day"]')
    expect(days).toHaveLength(14)
    // The name starts with what is shown (WCAG 2.5.3); a full day says so after it, to a screen reader.
    expect(days[0].text()).toBe('чт, 26 нояб. — свободного времени нет')
    expect(days[0].find('.visually-hidden').text()).toBe('— свободного времени нет')
    expect(days[1].text()).toBe('пт, 27 нояб.')
    expect(days[1].attributes('aria-label')).toBeUndefined()
    expect(days[0].attributes('disabled')).toBeDefined()
    expect(days[1].attributes('aria-pressed')).toBe('true')
    expect(days[2].attributes('disabled')).toBeDefined() // Saturday
    expect(days[4].attributes('disabled')).toBeUndefined() // Monday 30th
    expect(wrapper.find('[data-test="times-title"]').text()).toBe('Свободное время — пятница, 27 ноября')
    expect(wrapper.findAll('[data-test="time"]').map((b) => b.text())).toEqual(['09:30', '14:30'])

    await days[4].trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query.day).toBe('2026-11-30')
    expect(wrapper.findAll('[data-test="time"]').map((b) => b.text())).toEqual(['09:00'])

    await wrapper.findAll('[data-test="day"]')[1].trigger('click')
    await flushPromises()
    await click(wrapper, '[data-test="time"]', '14:30')

    // Step 4: what is being booked, then «Подтвердить запись».
    expect(router.currentRoute.value.query).toMatchObject({ step: 'confirm', slot: slot1430.id })
    const confirmText = plain(wrapper.find('main').text())
    expect(confirmText).toContain('Орлова Елена Дмитриевна (Кардиология)')
    expect(confirmText).toContain('пятница, 27 ноября, 14:30 (МСК)')
    expect(confirmText).toContain('30 мин')
    expect(confirmText).toContain('3 500 ₽')
    expect(wrapper.find('[data-test="local-time"]').exists()).toBe(false)
    await click(wrapper, '[data-test="confirm"]')

    expect(sentBodies(fetchMock, 'POST /api/bookings')).toEqual([{ slot_id: slot1430.id, time_zone: 'Europe/Moscow' }])
    expect(router.currentRoute.value.query).toEqual({ step: 'summary', booking: 'b-1' })
    expect(wrapper.find('#step-title').text()).toBe('Время закреплено за вами')
  })

  it('shows the time in Moscow and, beside it, the patient’s own when the browser is elsewhere', async () => {
    const { overrideBrowserTimeZone } = await import('../src/dates')
    overrideBrowserTimeZone('Asia/Yekaterinburg')
    setUser(patient)
    const fetchMock = stubApi({
      'GET /api/doctors/d-1': () => jsonResponse(200, cardiologist),
      [SLOTS_URL]: () => jsonResponse(200, [slot0930, slot1430]),
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: true, consent: true })),
      'POST /api/bookings': () => jsonResponse(201, heldBooking()),
    })
    const { wrapper } = await mountWithRouter(App, '/booking?step=time&doctor=d-1')
    await flushPromises()
    expect(wrapper.find('[data-test="zone-note"]').text()).toContain('Asia/Yekaterinburg')
    expect(plain(wrapper.findAll('[data-test="time"]')[1].text())).toBe('14:30 (у вас 16:30)')

    await click(wrapper, '[data-test="time"]', '14:30')
    expect(plain(wrapper.find('[data-test="fact-when"]').text())).toBe('пятница, 27 ноября, 14:30 (МСК) (у вас 16:30)')
    await click(wrapper, '[data-test="confirm"]')
    expect(sentBodies(fetchMock, 'POST /api/bookings')).toEqual([{ slot_id: slot1430.id, time_zone: 'Asia/Yekaterinburg' }])
  })

  it('offers the nearest free times when the slot was just taken, and books the one chosen', async () => {
    setUser(patient)
    let attempts = 0
    const fetchMock = stubApi({
      'GET /api/doctors/d-1': () => jsonResponse(200, cardiologist),
      [SLOTS_URL]: () => jsonResponse(200, [slot0930, slot1430]),
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: true, consent: true })),
      'POST /api/bookings': () => {
        attempts += 1
        if (attempts === 1) {
          return jsonResponse(409, {
            error: {
              code: 'slot_taken',
              message: 'Это время уже занято другим пациентом. Выберите, пожалуйста, другое — ближайшее свободное время показано ниже.',
              details: { nearest: [slot1500, slotMonday] },
            },
          })
        }
        return jsonResponse(201, heldBooking({ starts_at: slot1500.starts_at, ends_at: slot1500.ends_at }))
      },
    })
    const { wrapper, router } = await mountWithRouter(App, CONFIRM_PATH)
    await flushPromises()
    await click(wrapper, '[data-test="confirm"]')

    const error = wrapper.find('[data-test="confirm-error"]')
    expect(error.attributes('role')).toBe('alert')
    expect(error.text()).toContain('Это время уже занято другим пациентом')
    expect(document.activeElement).toBe(error.element)
    const nearest = wrapper.findAll('[data-test="nearest-time"]')
    expect(nearest.map((button) => plain(button.text()))).toEqual([
      'пятница, 27 ноября, 15:00 (МСК)',
      'понедельник, 30 ноября, 09:00 (МСК)',
    ])

    await nearest[0].trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query.slot).toBe(slot1500.id)
    expect(wrapper.find('[data-test="confirm-error"]').exists()).toBe(false)
    expect(document.activeElement).toBe(wrapper.find('#step-title').element)
    expect(plain(wrapper.find('[data-test="fact-when"]').text())).toBe('пятница, 27 ноября, 15:00 (МСК)')

    await click(wrapper, '[data-test="confirm"]')
    expect(sentBodies(fetchMock, 'POST /api/bookings').map((body) => (body as { slot_id: string }).slot_id)).toEqual([
      slot1430.id,
      slot1500.id,
    ])
    expect(router.currentRoute.value.query.step).toBe('summary')
  })

  it('sends a patient who has not signed the documents to sign them first (consent_required), and back', async () => {
    setUser(patient)
    const signed = { contract: false, consent: false }
    const fetchMock = stubApi({
      'GET /api/doctors/d-1': () => jsonResponse(200, cardiologist),
      [SLOTS_URL]: () => jsonResponse(200, [slot0930, slot1430]),
      // The list said "signed" (e.g. a consent withdrawn in another tab meanwhile); the server says no.
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments(signed)),
      'GET /api/consents': () => jsonResponse(200, []),
      'POST /api/consents': (body) => {
        const kind = (body as { kind: 'contract' | 'consent' }).kind
        signed[kind] = true
        return jsonResponse(201, { id: `c-${kind}`, kind, version: '1', sha256: 'x', signed_at: '2026-11-26T06:01:00+00:00' })
      },
      'POST /api/bookings': () =>
        apiError(
          403,
          'consent_required',
          'Перед записью подпишите, пожалуйста, договор и согласие на обработку персональных данных в разделе «Личные данные».',
        ),
    })
    signed.contract = true
    signed.consent = true
    const { wrapper, router } = await mountWithRouter(App, CONFIRM_PATH)
    await flushPromises()
    signed.contract = false
    signed.consent = false
    await click(wrapper, '[data-test="confirm"]')

    const box = wrapper.find('[data-test="consent-needed"]')
    expect(box.text()).toContain('Перед записью подпишите, пожалуйста, договор и согласие')
    expect(wrapper.find('[data-test="confirm"]').exists()).toBe(false)
    const link = box.find('[data-test="to-documents"]')
    expect(link.text()).toBe('Прочитать и подписать документы')
    const target = router.resolve(link.attributes('href') as string)
    expect(target.name).toBe('personal')
    expect(target.query.next).toBe(CONFIRM_PATH)

    await link.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('personal')
    expect(wrapper.find('[data-test="from-booking"]').exists()).toBe(true)
    for (const kind of ['contract', 'consent']) {
      const reader = wrapper.find(`[data-test="reader-${kind}"]`)
      await reader.find('input[type="checkbox"]').setValue(true)
      await reader.find('form').trigger('submit')
      await flushPromises()
    }
    expect(sentBodies(fetchMock, 'POST /api/consents')).toEqual([
      { kind: 'contract', version: '1', sha256: 'a'.repeat(64) },
      { kind: 'consent', version: '1', sha256: 'b'.repeat(64) },
    ])
    const back = wrapper.find('[data-test="back-to-booking"] a')
    expect(back.text()).toBe('Вернуться к записи')
    await back.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe(CONFIRM_PATH)
    expect(wrapper.find('[data-test="consent-needed"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="confirm"]').exists()).toBe(true)
  })

  it('asks to sign first when the documents are known to be unsigned, before any attempt', async () => {
    setUser(patient)
    const fetchMock = stubApi({
      'GET /api/doctors/d-1': () => jsonResponse(200, cardiologist),
      [SLOTS_URL]: () => jsonResponse(200, [slot1430]),
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: true, consent: false })),
    })
    const { wrapper } = await mountWithRouter(App, CONFIRM_PATH)
    await flushPromises()
    expect(wrapper.find('[data-test="consent-needed"]').text()).toContain('прочитайте и подпишите, пожалуйста, договор')
    expect(wrapper.find('[data-test="confirm"]').exists()).toBe(false)
    expect(sentBodies(fetchMock, 'POST /api/bookings')).toEqual([])
  })

  it('says so when the chosen time is no longer free', async () => {
    setUser(patient)
    stubApi({
      'GET /api/doctors/d-1': () => jsonResponse(200, cardiologist),
      [SLOTS_URL]: () => jsonResponse(200, [slot0930]),
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: true, consent: true })),
    })
    const { wrapper } = await mountWithRouter(App, CONFIRM_PATH)
    await flushPromises()
    expect(wrapper.find('[data-test="slot-gone"]').text()).toContain('Это время уже недоступно')
    expect(wrapper.find('[data-test="confirm"]').exists()).toBe(false)
  })

  it('points to «Мои записи» when the patient already holds as many times as allowed', async () => {
    setUser(patient)
    stubApi({
      'GET /api/doctors/d-1': () => jsonResponse(200, cardiologist),
      [SLOTS_URL]: () => jsonResponse(200, [slot1430]),
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: true, consent: true })),
      'POST /api/bookings': () =>
        apiError(409, 'hold_limit', 'Одновременно можно удерживать не больше 2 записей. Оплатите или отмените одну из неоплаченных записей.'),
    })
    const { wrapper } = await mountWithRouter(App, CONFIRM_PATH)
    await flushPromises()
    await click(wrapper, '[data-test="confirm"]')
    const error = wrapper.find('[data-test="confirm-error"]')
    expect(error.text()).toContain('не больше 2 записей')
    expect(error.find('a[href="/bookings"]').exists()).toBe(true)
  })
})

describe('booking wizard: the held booking and the payment summary', () => {
  beforeEach(() => {
    vi.mocked(leaveSite).mockClear()
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'], now: NOW })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('shows the doctor, the time, the price, the patient’s email with the warning to check it, and the countdown', async () => {
    setUser(patient)
    stubApi({ 'GET /api/bookings/b-1': () => jsonResponse(200, heldBooking()) })
    const { wrapper } = await mountWithRouter(App, '/booking?step=summary&booking=b-1')
    await flushPromises()

    const summary = plain(wrapper.find('[data-test="summary"]').text())
    expect(summary).toContain('Орлова Елена Дмитриевна (Кардиология)')
    expect(summary).toContain('пятница, 27 ноября, 14:30 (МСК)')
    expect(plain(wrapper.find('[data-test="fact-price"]').text())).toBe('3 500 ₽')
    expect(wrapper.find('[data-test="fact-email"]').text()).toBe('maria@example.ru')
    const email = wrapper.find('[data-test="summary-email"]').text()
    expect(email).toContain('Проверьте, пожалуйста, вашу электронную почту!')
    expect(email).toContain('maria@example.ru')
    expect(email).toContain('квитанция об оплате и ссылка для входа в видеоконсультацию')

    // 09:00 now, held until 09:15.
    expect(plain(wrapper.find('[data-test="hold-countdown"]').text())).toContain('Время закреплено за вами до 09:15 (МСК)')
    expect(wrapper.find('[data-test="hold-left"]').text()).toBe('осталось 15 мин 00 с')
    await vi.advanceTimersByTimeAsync(65000)
    expect(wrapper.find('[data-test="hold-left"]').text()).toBe('осталось 13 мин 55 с')
    expect(wrapper.find('[data-test="to-payment"]').text()).toBe('Перейти к оплате')

    await vi.advanceTimersByTimeAsync(14 * 60000)
    expect(wrapper.find('[data-test="hold-countdown"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="hold-expired"]').text()).toContain('Время, отведённое на оплату, истекло')
    expect(wrapper.find('[data-test="to-payment"]').exists()).toBe(false)
  })

  it('«Перейти к оплате» shows the email and the price again with the refund rule; «Оплатить» goes to YooKassa', async () => {
    setUser(patient)
    const fetchMock = stubApi({
      'GET /api/bookings/b-1': () => jsonResponse(200, heldBooking()),
      'POST /api/bookings/b-1/payment': () =>
        jsonResponse(200, { confirmation_url: 'https://yoomoney.ru/checkout/payments/v2/contract?orderId=p-1', payment_id: 'p-1' }),
    })
    const { wrapper, router } = await mountWithRouter(App, '/booking?step=summary&booking=b-1')
    await flushPromises()
    await click(wrapper, '[data-test="to-payment"]')

    expect(router.currentRoute.value.query).toEqual({ step: 'payment', booking: 'b-1' })
    const check = plain(wrapper.find('[data-test="check-email"]').text())
    expect(check).toContain('Проверьте, пожалуйста, вашу электронную почту и стоимость консультации.')
    expect(wrapper.find('[data-test="payment-email"]').text()).toBe('maria@example.ru')
    expect(plain(wrapper.find('[data-test="payment-price"]').text())).toBe('3 500 ₽')
    const rule = plain(wrapper.find('[data-test="payment-rule"]').text())
    expect(rule).toContain('не позднее чем за 24 часа до начала, деньги вернутся полностью')
    expect(rule).toContain('четверг, 26 ноября, 14:30 (МСК)')
    // Only one request so far: the booking (the summary's copy is reused).
    expect(fetchMock).toHaveBeenCalledTimes(1)

    const pay = wrapper.find('[data-test="pay"]')
    expect(pay.text()).toBe('Оплатить')
    await pay.trigger('click')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-1/payment')).toHaveLength(1)
    expect(leaveSite).toHaveBeenCalledWith('https://yoomoney.ru/checkout/payments/v2/contract?orderId=p-1')
    expect(wrapper.find('[data-test="pay"]').attributes('disabled')).toBeDefined()
  })

  it('the refund rule before paying is the server’s: its deadline and its hours, nothing computed here', async () => {
    setUser(patient)
    const rule = async (cancellation: Record<string, unknown>) => {
      stubApi({ 'GET /api/bookings/b-1': () => jsonResponse(200, heldBooking({ cancellation })) })
      const { wrapper } = await mountWithRouter(App, '/booking?step=payment&booking=b-1')
      await flushPromises()
      const text = plain(wrapper.find('[data-test="payment-rule"]').text())
      wrapper.unmount()
      return text
    }
    // A 12-hour rule: the deadline is the server's (not 24 hours before the start).
    const twelve = await rule({ refund: null, deadline: '2026-11-27T02:30:00+03:00', deadline_hours: 12 })
    expect(twelve).toContain('не позднее чем за 12 часов до начала')
    expect(twelve).toContain('пятница, 27 ноября, 02:30 (МСК)')
    // A deadline already past: no refund once paid, in the server's hours.
    const late = await rule({ refund: null, deadline: '2026-11-25T14:30:00+03:00', deadline_hours: 48 })
    expect(late).toContain('уже меньше 48 часов, поэтому при отмене деньги не вернутся')
  })

  it('lets the patient try again when the payment service does not answer', async () => {
    setUser(patient)
    let calls = 0
    stubApi({
      'GET /api/bookings/b-1': () => jsonResponse(200, heldBooking()),
      'POST /api/bookings/b-1/payment': () => {
        calls += 1
        return calls === 1
          ? apiError(503, 'payment_unavailable', 'Платёжный сервис сейчас не отвечает. Деньги не списаны. Попробуйте, пожалуйста, ещё раз через минуту.')
          : jsonResponse(200, { confirmation_url: 'https://pay.example/2', payment_id: 'p-2' })
      },
    })
    const { wrapper } = await mountWithRouter(App, '/booking?step=payment&booking=b-1')
    await flushPromises()
    await click(wrapper, '[data-test="pay"]')
    expect(wrapper.find('[data-test="payment-error"]').text()).toContain('Платёжный сервис сейчас не отвечает')
    expect(leaveSite).not.toHaveBeenCalled()
    expect(wrapper.find('[data-test="pay"]').attributes('disabled')).toBeUndefined()
    await click(wrapper, '[data-test="pay"]')
    expect(leaveSite).toHaveBeenCalledWith('https://pay.example/2')
  })

  it('explains an expired hold on «Оплатить» and offers to choose a time again', async () => {
    setUser(patient)
    stubApi({
      'GET /api/bookings/b-1': () => jsonResponse(200, heldBooking()),
      'POST /api/bookings/b-1/payment': () =>
        apiError(409, 'hold_expired', 'Время, отведённое на оплату, истекло, и запись снята. Выберите, пожалуйста, время заново.'),
    })
    const { wrapper } = await mountWithRouter(App, '/booking?step=payment&booking=b-1')
    await flushPromises()
    await click(wrapper, '[data-test="pay"]')
    const error = wrapper.find('[data-test="payment-error"]')
    expect(error.text()).toContain('запись снята')
    expect(error.find('a').attributes('href')).toBe('/booking?step=specialty')
    expect(leaveSite).not.toHaveBeenCalled()
  })
})
