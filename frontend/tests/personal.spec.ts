import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import App from '../src/App.vue'
import { setActiveRole, setUser } from '../src/session'
import { legalDocuments, patient } from './bookingFixtures'
import { apiError, doctorPatient, jsonResponse, mountWithRouter, sentBodies, stubApi } from './helpers'

const contractCopy = {
  id: 'c-1',
  kind: 'contract',
  version: '1',
  title: 'Договор на оказание платной медицинской услуги «телемедицина»',
  sha256: 'a'.repeat(64),
  signed_at: '2026-11-26T04:45:42.065362+00:00',
  ip: '127.0.0.1',
  user_agent: 'Mozilla/5.0',
  withdrawn_at: null,
  in_force: true,
  withdrawable: false,
}
const consentCopy = {
  ...contractCopy,
  id: 'c-2',
  kind: 'consent',
  title: 'Согласие на обработку персональных данных',
  sha256: 'b'.repeat(64),
  signed_at: '2026-11-26T04:46:00+00:00',
  withdrawable: true,
}

describe('«Личные данные»', () => {
  it('is reached from the header’s name and from the cabinet', async () => {
    setUser(patient)
    stubApi({
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: false, consent: false })),
      'GET /api/consents': () => jsonResponse(200, []),
    })
    const { wrapper, router } = await mountWithRouter(App, '/cabinet')
    await flushPromises()
    expect(wrapper.find('[data-test="cabinet-unsigned"]').text()).toContain('прочитайте и подпишите')
    expect(wrapper.find('[data-test="cabinet-personal-link"]').attributes('href')).toBe('/cabinet/personal')

    await wrapper.find('header [data-test="user-name"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('personal')
    expect(wrapper.find('main h1').text()).toBe('Личные данные')
    expect(wrapper.find('[data-test="personal-name"]').text()).toBe('Иванова Мария Петровна')
    expect(wrapper.find('[data-test="personal-email"]').text()).toBe('maria@example.ru')
  })

  it('shows each document in force with its status and its text, and signs it with «Подписать»', async () => {
    setUser(patient)
    const signed = { contract: false, consent: true }
    const fetchMock = stubApi({
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments(signed)),
      'GET /api/consents': () => jsonResponse(200, signed.contract ? [contractCopy, consentCopy] : [consentCopy]),
      'POST /api/legal-documents/signatures': () => {
        signed.contract = true
        return jsonResponse(201, [contractCopy])
      },
    })
    const { wrapper } = await mountWithRouter(App, '/cabinet/personal')
    await flushPromises()

    expect(wrapper.find('[data-test="doc-status-contract"]').text()).toBe('Не подписан')
    expect(wrapper.find('[data-test="doc-status-consent"]').text()).toBe('Подписан')
    expect(wrapper.find('[data-test="reader-consent"]').exists()).toBe(false)
    const reader = wrapper.find('[data-test="reader-contract"]')
    const pane = reader.find('.doc-reader__pane')
    expect(pane.html()).toContain('<b>Иванова Мария Петровна</b>')
    expect(pane.attributes('tabindex')).toBe('0')
    // What «Подписать» means is said next to it: a simple electronic signature of this document.
    expect(wrapper.find('[data-test="sign-statement"]').text()).toContain(
      'простой электронной подписью документ «Договор на оказание платной медицинской услуги «телемедицина»»',
    )
    const form = wrapper.find('[data-test="doc-reader"] form')
    expect(form.find('button[type="submit"]').text()).toBe('Подписать')
    await form.trigger('submit')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/legal-documents/signatures')).toEqual([
      { documents: [{ kind: 'contract', version: '1', sha256: 'a'.repeat(64) }] },
    ])
    expect(wrapper.find('[data-test="doc-status-contract"]').text()).toBe('Подписан')
    expect(wrapper.find('[data-test="reader-contract"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="personal-notice"]').text()).toContain(
      'Документ «Договор на оказание платной медицинской услуги «телемедицина»» подписан 26 ноября 2026',
    )
    expect(wrapper.findAll('[data-test="copy"]')).toHaveLength(2)
  })

  it('reloads a document whose text changed since it was opened, and says why', async () => {
    setUser(patient)
    let loads = 0
    stubApi({
      'GET /api/legal-documents': () => {
        loads += 1
        return jsonResponse(200, legalDocuments({ contract: false, consent: false }))
      },
      'GET /api/consents': () => jsonResponse(200, []),
      'POST /api/legal-documents/signatures': () =>
        apiError(409, 'document_changed', 'Текст документа «Согласие на обработку персональных данных» изменился с момента открытия страницы. Обновите страницу и прочитайте документ ещё раз.'),
    })
    const { wrapper } = await mountWithRouter(App, '/cabinet/personal')
    await flushPromises()
    const reader = wrapper.find('[data-test="doc-consent"]')
    await reader.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('main [role="alert"]').text()).toContain('изменился с момента открытия страницы')
    expect(loads).toBe(2)
  })

  it('lists signed copies with date, version, «Открыть» and «Скачать PDF»', async () => {
    setUser(patient)
    stubApi({
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: true, consent: true })),
      'GET /api/consents': () => jsonResponse(200, [consentCopy, contractCopy]),
      'GET /api/consents/c-1': () => jsonResponse(200, { ...contractCopy, html: '<h1>Договор</h1><p>Подписанный текст.</p>' }),
    })
    const { wrapper } = await mountWithRouter(App, '/cabinet/personal')
    await flushPromises()
    const copies = wrapper.findAll('[data-test="copy"]')
    expect(copies.map((copy) => copy.find('h3').text())).toEqual([
      'Согласие на обработку персональных данных',
      'Договор на оказание платной медицинской услуги «телемедицина»',
    ])
    const contract = copies[1]
    expect(contract.find('[data-test="copy-signed-at"]').text()).toMatch(/^26 ноября 2026 г\.,? (в )?07:45 \(МСК\)$/)
    expect(contract.find('[data-test="copy-state"]').text()).toBe('Действует')
    expect(contract.find('[data-test="copy-pdf"]').attributes('href')).toBe('/api/consents/c-1/pdf')
    expect(contract.find('[data-test="copy-pdf"]').text()).toBe('Скачать PDF')
    // The contract cannot be withdrawn; the consent can.
    expect(contract.find('[data-test="copy-withdraw"]').exists()).toBe(false)
    expect(copies[0].find('[data-test="copy-withdraw"]').text()).toBe('Отозвать согласие')

    const open = contract.find('[data-test="copy-open"]')
    expect(open.text()).toBe('Открыть')
    await open.trigger('click')
    await flushPromises()
    expect(open.attributes('aria-expanded')).toBe('true')
    expect(contract.find('[data-test="copy-text"]').text()).toContain('Подписанный текст.')
  })

  it('withdraws the consent after saying what stops, what goes on and what is kept (from the server)', async () => {
    setUser(patient)
    let withdrawn = false
    const fetchMock = stubApi({
      'GET /api/legal-documents': () => jsonResponse(200, legalDocuments({ contract: true, consent: !withdrawn })),
      'GET /api/consents': () =>
        jsonResponse(200, [
          withdrawn
            ? { ...consentCopy, withdrawn_at: '2026-11-26T05:00:00+00:00', in_force: false, withdrawable: false }
            : consentCopy,
          contractCopy,
        ]),
      'GET /api/consents/c-2/withdrawal': () =>
        jsonResponse(200, {
          id: 'c-2',
          kind: 'consent',
          title: 'Согласие на обработку персональных данных',
          stops: ['Новая запись на консультацию станет невозможной, пока вы не подпишете согласие снова.'],
          continues: ['Уже оплаченные консультации состоятся.'],
          kept: ['Медицинская документация хранится 25 лет, как требует закон: приказ № 530н.'],
          also_withdrawn: ['Согласие на получение новостей и предложений клиники'],
        }),
      'POST /api/consents/c-2/withdraw': () => {
        withdrawn = true
        return jsonResponse(200, { ...consentCopy, withdrawn_at: '2026-11-26T05:00:00+00:00', in_force: false })
      },
    })
    const { wrapper } = await mountWithRouter(App, '/cabinet/personal')
    await flushPromises()
    await wrapper.find('[data-test="copy-withdraw"]').trigger('click')
    await flushPromises()

    const confirm = wrapper.find('[data-test="withdraw-confirm"]')
    expect(confirm.text()).toContain('Отозвать документ «Согласие на обработку персональных данных»?')
    expect(confirm.find('[data-test="withdraw-stops"]').text()).toContain('Новая запись на консультацию станет невозможной')
    expect(confirm.find('[data-test="withdraw-continues"]').text()).toContain('Уже оплаченные консультации состоятся')
    expect(confirm.find('[data-test="withdraw-kept"]').text()).toContain('хранится 25 лет')
    expect(confirm.find('[data-test="withdraw-also"]').text()).toContain('«Согласие на получение новостей и предложений клиники»')
    expect(sentBodies(fetchMock, 'POST /api/consents/c-2/withdraw')).toHaveLength(0)

    await confirm.find('[data-test="withdraw-yes"]').trigger('click')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/consents/c-2/withdraw')).toHaveLength(1)
    expect(wrapper.find('[data-test="personal-notice"]').text()).toContain('Согласие на обработку персональных данных отозвано')
    expect(wrapper.findAll('[data-test="copy"]')[0].find('[data-test="copy-state"]').text()).toMatch(/^Отозвано 26 ноября 2026/)
    expect(wrapper.find('[data-test="doc-status-consent"]').text()).toBe('Не подписан')
    expect(wrapper.find('[data-test="reader-consent"]').exists()).toBe(true)
  })

  it('the clinic’s news are a switch, off by default: on signs the consent, off withdraws it', async () => {
    setUser(patient)
    let subscribed = false
    const newsCopy = {
      ...consentCopy,
      id: 'c-news',
      kind: 'marketing',
      title: 'Согласие на получение новостей и предложений клиники',
      sha256: 'c'.repeat(64),
    }
    const fetchMock = stubApi({
      'GET /api/legal-documents': () =>
        jsonResponse(200, legalDocuments({ contract: true, consent: true, marketing: subscribed })),
      'GET /api/consents': () => jsonResponse(200, subscribed ? [newsCopy, consentCopy, contractCopy] : [consentCopy, contractCopy]),
      'POST /api/consents': () => {
        subscribed = true
        return jsonResponse(201, newsCopy)
      },
      'POST /api/consents/c-news/withdraw': () => {
        subscribed = false
        return jsonResponse(200, { ...newsCopy, withdrawn_at: '2026-11-26T05:00:00+00:00', in_force: false })
      },
    })
    const { wrapper } = await mountWithRouter(App, '/cabinet/personal')
    await flushPromises()
    const toggle = () => wrapper.find<HTMLInputElement>('[data-test="switch-marketing"]')
    expect(toggle().attributes('role')).toBe('switch')
    expect(toggle().element.checked).toBe(false)
    // Optional: everything required is signed, so nothing asks to be signed.
    expect(wrapper.find('[data-test="reader-marketing"]').exists()).toBe(false)

    await toggle().setValue(true)
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/consents')).toEqual([{ kind: 'marketing', version: '1', sha256: 'c'.repeat(64) }])
    expect(toggle().element.checked).toBe(true)
    expect(wrapper.find('[data-test="personal-notice"]').text()).toContain('подписано')

    await toggle().setValue(false)
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/consents/c-news/withdraw')).toHaveLength(1)
    expect(toggle().element.checked).toBe(false)
    expect(wrapper.find('[data-test="personal-notice"]').text()).toContain('больше не будут приходить')
  })

  it('shows only the person’s data in a role other than patient', async () => {
    setUser(doctorPatient)
    setActiveRole('doctor')
    const fetchMock = stubApi({})
    const { wrapper } = await mountWithRouter(App, '/cabinet/personal')
    await flushPromises()
    expect(wrapper.find('[data-test="personal-name"]').text()).toBe('Иванова Мария Петровна')
    expect(wrapper.find('main').text()).toContain('доступны в роли «пациент»')
    expect(fetchMock).not.toHaveBeenCalled()
  })
})
