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
import { apiError, doctorPatient, jsonResponse, mountWithRouter, sentBodies, stubApi, signedOutSession } from './helpers'

vi.mock('../src/navigation', () => ({ leaveSite: vi.fn() }))

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

const CONFIRM_PATH = `/booking?step=confirm&specialty=cardiology&doctor=d-1&day=2026-11-27&slot=${slot1430.id}`

function buttonsNamed(wrapper: Wrapper, selector: string, name: string) {
  return wrapper.findAll(selector).filter((button) => plain(button.text()).indexOf(name) !== -1)
}

/** YooKassa's page is asked for and left after a few promise turns (the answer's body is read too). */
async function untilLeft() {
  for (let turn = 0; turn < 20 && vi.mocked(leaveSite).mock.calls.length === 0; turn += 1) await flushPromises()
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
    stubApi({ 'GET /api/session': signedOutSession })
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
    expect(wrapper.find('#step-title').text()).toBe('Время закреплено за вами до 09:15 (МСК)')
    expect(wrapper.find('main').text()).not.toContain('Запись подтверждена')
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

  it('sends a patient whose documents turn out unsigned (consent_required) to sign them all on one screen, then holds the time', async () => {
    setUser(patient)
    const signed = { contract: true, consent: true }
    let bookingsAsked = 0
    const fetchMock = stubApi({
      'GET /api/doctors/d-1': () => jsonResponse(200, cardiologist),
      [SLOTS_URL]: () => jsonResponse(200, [slot0930, slot1430]),
      // The list said "signed" (e.g. a consent withdrawn in another tab meanwhile); the server says no.
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments(signed)),
      'POST /api/legal-documents/signatures': (body) => {
        const listed = (body as { documents: { kind: 'contract' | 'consent' }[] }).documents
        listed.forEach((item) => {
          signed[item.kind] = true
        })
        return jsonResponse(
          201,
          listed.map((item) => ({ id: `c-${item.kind}`, kind: item.kind, version: '1', sha256: 'x', signed_at: '2026-11-26T06:01:00+00:00' })),
        )
      },
      'POST /api/bookings': () => {
        bookingsAsked += 1
        return signed.contract && signed.consent
          ? jsonResponse(201, heldBooking())
          : apiError(403, 'consent_required', 'Перед записью подпишите, пожалуйста, договор и согласие на обработку персональных данных.')
      },
    })
    const { wrapper, router } = await mountWithRouter(App, CONFIRM_PATH)
    await flushPromises()
    signed.contract = false
    signed.consent = false
    await click(wrapper, '[data-test="confirm"]')

    // The documents step of the same choice: both texts, one «Подписать», no checkbox to tick.
    expect(router.currentRoute.value.query).toMatchObject({ step: 'documents', doctor: 'd-1', slot: slot1430.id })
    expect(wrapper.find('#step-title').text()).toBe('Прочитайте и подпишите документы')
    expect(plain(wrapper.find('[data-test="documents-slot"]').text())).toContain('пятница, 27 ноября, 14:30 (МСК)')
    expect(wrapper.find('[data-test="reader-contract"]').text()).toContain('Текст договора')
    expect(wrapper.find('[data-test="reader-consent"]').text()).toContain('Текст согласия')
    expect(wrapper.findAll('main input[type="checkbox"]')).toHaveLength(0)
    const submit = wrapper.findAll('main button[type="submit"]')
    expect(submit.map((button) => button.text())).toEqual(['Подписать'])
    expect(wrapper.find('[data-test="sign-statement"]').text()).toContain('сразу все документы выше')

    await wrapper.find('[data-test="doc-reader"] form').trigger('submit')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/legal-documents/signatures')).toEqual([
      {
        documents: [
          { kind: 'contract', version: '1', sha256: 'a'.repeat(64) },
          { kind: 'consent', version: '1', sha256: 'b'.repeat(64) },
        ],
      },
    ])
    // Back to the chosen time, held without another click.
    expect(bookingsAsked).toBe(2)
    expect(sentBodies(fetchMock, 'POST /api/bookings')[1]).toEqual({ slot_id: slot1430.id, time_zone: 'Europe/Moscow' })
    expect(router.currentRoute.value.query).toEqual({ step: 'summary', booking: 'b-1' })
    expect(wrapper.find('#step-title').text()).toBe('Время закреплено за вами до 09:15 (МСК)')
  })

  it('when the documents are known to be unsigned, «Подтвердить запись» opens them before any attempt', async () => {
    setUser(patient)
    const fetchMock = stubApi({
      'GET /api/doctors/d-1': () => jsonResponse(200, cardiologist),
      [SLOTS_URL]: () => jsonResponse(200, [slot1430]),
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: true, consent: false })),
    })
    const { wrapper, router } = await mountWithRouter(App, CONFIRM_PATH)
    await flushPromises()
    expect(wrapper.find('[data-test="consent-needed"]').text()).toContain('нужно прочитать и подписать документы')
    await click(wrapper, '[data-test="confirm"]')
    expect(router.currentRoute.value.query.step).toBe('documents')
    // Only what is still unsigned.
    expect(wrapper.find('[data-test="reader-contract"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="reader-consent"]').exists()).toBe(true)
    expect(sentBodies(fetchMock, 'POST /api/bookings')).toEqual([])
  })

  it('offers the clinic’s news unticked beside the required documents, signed with them only when ticked', async () => {
    setUser(patient)
    const fetchMock = stubApi({
      'GET /api/doctors/d-1': () => jsonResponse(200, cardiologist),
      [SLOTS_URL]: () => jsonResponse(200, [slot1430]),
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: false, consent: false, marketing: false })),
      'POST /api/legal-documents/signatures': () => jsonResponse(201, []),
      'POST /api/bookings': () => jsonResponse(201, heldBooking()),
    })
    const { wrapper } = await mountWithRouter(App, CONFIRM_PATH)
    await flushPromises()
    await click(wrapper, '[data-test="confirm"]')
    expect(wrapper.find('[data-test="reader-marketing"]').exists()).toBe(false)
    const box = wrapper.find<HTMLInputElement>('[data-test="optional-marketing-box"]')
    expect(box.element.checked).toBe(false)
    expect(wrapper.find('[data-test="optional-marketing"]').text()).toContain('новости и предложения клиники')
    await box.setValue(true)
    await wrapper.find('[data-test="doc-reader"] form').trigger('submit')
    await flushPromises()
    const [sent] = sentBodies(fetchMock, 'POST /api/legal-documents/signatures') as { documents: { kind: string }[] }[]
    expect(sent.documents.map((doc) => doc.kind)).toEqual(['contract', 'consent', 'marketing'])
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

  it('says until when the time is held (never «подтверждена» before the payment), the email and the price, and «Оплатить» goes straight to YooKassa', async () => {
    setUser(patient)
    const fetchMock = stubApi({
      'GET /api/bookings/b-1': () => jsonResponse(200, heldBooking()),
      'POST /api/bookings/b-1/payment': () =>
        jsonResponse(200, { confirmation_url: 'https://yoomoney.ru/checkout/payments/v2/contract?orderId=p-1', payment_id: 'p-1' }),
    })
    const { wrapper } = await mountWithRouter(App, '/booking?step=summary&booking=b-1')
    await flushPromises()

    // 09:00 now, held until 09:15.
    expect(wrapper.find('#step-title').text()).toBe('Время закреплено за вами до 09:15 (МСК)')
    expect(wrapper.find('main').text()).not.toContain('подтверждена.')
    expect(wrapper.find('[data-test="held-lead"]').text()).toContain('запись будет подтверждена, как только пройдёт оплата')
    const check = plain(wrapper.find('[data-test="check-email"]').text())
    expect(check).toContain('Проверьте, пожалуйста, вашу электронную почту и стоимость консультации.')
    expect(wrapper.find('[data-test="payment-email"]').text()).toBe('maria@example.ru')
    expect(plain(wrapper.find('[data-test="payment-price"]').text())).toBe('3 500 ₽')
    expect(plain(wrapper.find('[data-test="fact-when"]').text())).toContain('пятница, 27 ноября, 14:30 (МСК)')
    const rule = plain(wrapper.find('[data-test="payment-rule"]').text())
    expect(rule).toContain('не позднее чем за 24 часа до начала, деньги вернутся полностью')
    expect(wrapper.find('[data-test="hold-left"]').text()).toBe('осталось 15 мин 00 с')
    expect(wrapper.find('[data-test="to-payment"]').exists()).toBe(false)

    const pay = wrapper.find('[data-test="pay"]')
    expect(pay.text()).toBe('Оплатить')
    await pay.trigger('click')
    await untilLeft()
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-1/payment')).toHaveLength(1)
    expect(leaveSite).toHaveBeenCalledWith('https://yoomoney.ru/checkout/payments/v2/contract?orderId=p-1')
    expect(wrapper.find('[data-test="pay"]').attributes('disabled')).toBeDefined()
  })

  it('takes «Оплатить» away once the hold runs out', async () => {
    setUser(patient)
    stubApi({ 'GET /api/bookings/b-1': () => jsonResponse(200, heldBooking()) })
    const { wrapper } = await mountWithRouter(App, '/booking?step=summary&booking=b-1')
    await flushPromises()
    await vi.advanceTimersByTimeAsync(65000)
    expect(wrapper.find('[data-test="hold-left"]').text()).toBe('осталось 13 мин 55 с')
    await vi.advanceTimersByTimeAsync(14 * 60000)
    expect(wrapper.find('[data-test="hold-expired"]').text()).toContain('Время, отведённое на оплату, истекло')
    expect(wrapper.find('[data-test="pay"]').exists()).toBe(false)
  }, 30000)

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
    await untilLeft()
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
