import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { setUser } from '../src/session'
import { NOW } from './bookingFixtures'
import { apiError, jsonResponse, mountWithRouter, registrar, sentBodies, stubApi } from './helpers'

const admin = { ...registrar, id: 'u-adm', full_name: 'Администратор Центра', email: 'admin@clinic.local', roles: ['admin'] }

const checked = { payments: 4, refunds: 1, bookings: 3, rendered: 1 }

function run(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    period_from: '2026-11-25',
    period_to: '2026-11-25',
    ran_at: '2026-11-26T03:00:04.123456+00:00',
    trigger: 'schedule',
    checked,
    differences_count: 0,
    differences: [],
    ...overrides,
  }
}

const amount = {
  kind: 'amount_differs',
  booking_id: 'b-7',
  payment_id: 'p-7',
  refund_id: null,
  ours: '3500.00 RUB',
  theirs: '3000.00 RUB',
  what_to_do: 'Суммы различаются: у нас за запись b-7 — 3500.00 RUB, в ЮKassa платёж p-7 — 3000.00 RUB. Сверьте цену.',
}
const refund = {
  kind: 'refund_here_not_there',
  booking_id: 'b-8',
  payment_id: 'p-8',
  refund_id: 'r-8',
  ours: null,
  theirs: null,
  what_to_do: 'У записи b-8 отмечен возврат r-8, но в ЮKassa его нет.',
}

describe('«Сверка с ЮKassa»', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('shows the latest runs: each difference with what to do, and «Расхождений нет» for a clean one', async () => {
    setUser(admin)
    stubApi({
      'GET /api/admin/reconciliations': () =>
        jsonResponse(200, [
          run('r2', { differences_count: 2, differences: [amount, refund], period_to: '2026-11-26', trigger: 'admin' }),
          run('r1'),
        ]),
    })
    const { wrapper } = await mountWithRouter(App, '/admin/reconciliation')
    await flushPromises()

    expect(wrapper.find('main h1').text()).toBe('Сверка с ЮKassa')
    const runs = wrapper.findAll('[data-test="reconciliation-run"]')
    expect(runs).toHaveLength(2)
    expect(runs[0].find('[data-test="reconciliation-period"]').text()).toBe('Период: 25 ноября 2026 г. — 26 ноября 2026 г.')
    expect(runs[0].text()).toContain('Запущена администратором 26 ноября 2026 г. в 06:00.')
    expect(runs[0].find('[data-test="reconciliation-count"]').text()).toContain('Найдено расхождений: 2.')
    const rows = runs[0].findAll('[data-test="reconciliation-difference"]')
    expect(rows.map((row) => row.find('[data-test="reconciliation-kind"]').text())).toEqual([
      'Суммы различаются',
      'Возврат отмечен у нас, но его нет в ЮKassa',
    ])
    expect(rows[0].find('[data-test="reconciliation-what"]').text()).toBe(amount.what_to_do)
    expect(rows[1].text()).toContain('платёж p-8, возврат r-8')
    expect(runs[1].find('[data-test="reconciliation-period"]').text()).toBe('Период: 25 ноября 2026 г.')
    expect(runs[1].find('[data-test="reconciliation-clean"]').text()).toBe('Расхождений нет: записи клиники и ЮKassa совпадают.')
    expect(runs[1].text()).toContain('Ежедневная сверка')
    expect(runs[1].find('[data-test="reconciliation-table"]').exists()).toBe(false)
  })

  it('runs a period on request, shows the result first, and puts the server’s refusal next to the date', async () => {
    setUser(admin)
    let answer: Response = apiError(400, 'validation_error', 'Проверьте, пожалуйста, заполнение полей.', {
      to: 'Сверка охватывает не больше 31 дня за раз: разбейте период на части.',
    })
    const fetchMock = stubApi({
      'GET /api/admin/reconciliations': () => jsonResponse(200, []),
      'POST /api/admin/reconciliations': () => answer,
    })
    const { wrapper } = await mountWithRouter(App, '/admin/reconciliation')
    await flushPromises()
    expect(wrapper.find('[data-test="reconciliation-none"]').exists()).toBe(true)

    await wrapper.find('#reconciliation-from').setValue('2026-09-01')
    await wrapper.find('#reconciliation-to').setValue('2026-11-26')
    await wrapper.find('[data-test="reconciliation-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('Сверка охватывает не больше 31 дня за раз: разбейте период на части.')
    expect(wrapper.find('#reconciliation-to').attributes('aria-invalid')).toBe('true')
    expect(wrapper.findAll('[data-test="reconciliation-run"]')).toHaveLength(0)

    answer = jsonResponse(201, run('r3', { trigger: 'admin', period_from: '2026-11-20', period_to: '2026-11-26' }))
    await wrapper.find('#reconciliation-from').setValue('2026-11-20')
    await wrapper.find('[data-test="reconciliation-form"]').trigger('submit')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/admin/reconciliations')).toEqual([
      { from: '2026-09-01', to: '2026-11-26' },
      { from: '2026-11-20', to: '2026-11-26' },
    ])
    const [shown] = wrapper.findAll('[data-test="reconciliation-run"]')
    expect(shown.find('[data-test="reconciliation-period"]').text()).toBe('Период: 20 ноября 2026 г. — 26 ноября 2026 г.')
    expect(shown.find('[data-test="reconciliation-clean"]').exists()).toBe(true)
    expect(wrapper.find('#reconciliation-to').attributes('aria-invalid')).not.toBe('true')
  })

  it('is for the admin only, and the admin finds it in the menu', async () => {
    setUser(registrar)
    const fetchMock = stubApi({ 'GET /api/registration-requests?status=new': () => jsonResponse(200, []) })
    const { wrapper } = await mountWithRouter(App, '/admin/reconciliation')
    await flushPromises()
    expect(wrapper.find('[data-test="no-access"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="nav-reconciliation"]').exists()).toBe(false)
    expect(fetchMock.mock.calls.filter(([url]) => String(url).indexOf('/api/admin/') === 0)).toHaveLength(0)

    setUser(admin)
    stubApi({ 'GET /api/admin/reconciliations': () => jsonResponse(200, []) })
    await flushPromises()
    const link = wrapper.find('[data-test="nav-reconciliation"]')
    expect(link.text()).toBe('Сверка платежей')
    expect(link.attributes('href')).toBe('/admin/reconciliation')
  })
})
