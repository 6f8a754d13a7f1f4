import { describe, expect, it } from 'vitest'
import { formatDate, formatDateTime, parseInstant, todayInClinic } from '../src/dates'

describe('dates', () => {
  it('reads the API’s microseconds', () => {
    expect(parseInstant('2026-11-26T04:30:12.123456+00:00')?.toISOString()).toBe('2026-11-26T04:30:12.123Z')
    expect(parseInstant('nonsense')).toBeNull()
  })

  it('shows instants in Moscow time, in Russian or English', () => {
    const ru = formatDateTime('2026-12-31T21:30:00+00:00', 'ru')
    expect(ru).toContain('1 января 2027')
    expect(ru).toContain('00:30')
    expect(formatDateTime('2026-12-31T21:30:00+00:00', 'en')).toContain('1 January 2027')
    expect(formatDateTime('not a date', 'ru')).toBe('not a date')
  })

  it('never shifts a calendar date', () => {
    expect(formatDate('1979-03-08', 'ru')).toBe('8 марта 1979 г.')
    expect(formatDate('1979-03-08', 'en')).toBe('8 March 1979')
  })

  it('knows today in Moscow', () => {
    expect(todayInClinic(new Date('2026-12-31T21:30:00Z'))).toBe('2027-01-01')
  })
})
