import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import BookingReceipts from '../src/components/BookingReceipts.vue'
import { i18n } from '../src/i18n'

const receipts = [
  { kind: 'prepayment' as const, status: 'succeeded' as const, at: '2026-12-01T12:00:00+03:00', amount: 3500 },
  { kind: 'closing' as const, status: 'pending' as const, at: '2026-12-03T15:10:00+03:00', amount: 3500 },
  { kind: 'refund' as const, status: 'canceled' as const, at: '2026-12-04T09:00:00+03:00', amount: 3500 },
]

describe('BookingReceipts', () => {
  it('lists each receipt by its kind, state and time in the clinic, and says where they arrive', () => {
    const wrapper = mount(BookingReceipts, { props: { receipts, email: 'anna@example.org' }, global: { plugins: [i18n] } })
    expect(wrapper.find('h2').text()).toBe('Чеки')
    const rows = wrapper.findAll('[data-test="receipt"]').map((row) => row.text())
    expect(rows[0]).toContain('Чек предоплаты')
    expect(rows[0]).toContain('отправлен на почту')
    expect(rows[0]).toContain('1 декабря')
    expect(rows[0]).toContain('12:00')
    expect(rows[1]).toContain('Чек об оказании услуги')
    expect(rows[1]).toContain('формируется')
    expect(rows[2]).toContain('Чек возврата')
    expect(rows[2]).toContain('не сформирован')
    expect(wrapper.find('[data-test="receipts-where"]').text()).toContain('anna@example.org')
  })

  it('shows nothing for a booking without receipts', () => {
    const wrapper = mount(BookingReceipts, { props: { receipts: [] }, global: { plugins: [i18n] } })
    expect(wrapper.find('[data-test="receipts"]').exists()).toBe(false)
  })
})
