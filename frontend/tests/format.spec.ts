import { describe, expect, it } from 'vitest'
import { addDays, dayInGenitive, formatDay, overrideBrowserTimeZone } from '../src/dates'
import {
  formatCount,
  formatCountdown,
  formatNumber,
  formatPrice,
  formatSpeed,
  formatWhen,
  formatWhenFull,
  localTimeNote,
  pluralCategory,
  statusLabel,
} from '../src/format'
import { setLocale } from '../src/i18n'
import { BOOKING_STATUSES } from '../src/booking'

describe('booking formats', () => {
  it('writes prices as «3 500 ₽» with no-break spaces', () => {
    expect(formatPrice(3500)).toBe('3\u00a0500\u00a0₽')
    expect(formatPrice(500)).toBe('500\u00a0₽')
    expect(formatPrice(1250000)).toBe('1\u00a0250\u00a0000\u00a0₽')
    expect(formatPrice(3500, 'en')).toBe('3,500\u00a0₽')
  })

  it('writes consultation times in Moscow with the weekday', () => {
    expect(formatWhen('2026-11-26T11:30:00+00:00')).toBe('четверг, 26 ноября, 14:30 (МСК)')
    expect(formatWhen('2026-11-26T14:30:00+03:00')).toBe('четверг, 26 ноября, 14:30 (МСК)')
    // Midnight is 00:00, not 24:00.
    expect(formatWhen('2026-11-26T21:00:00Z')).toBe('пятница, 27 ноября, 00:00 (МСК)')
    setLocale('en')
    expect(formatWhen('2026-11-26T11:30:00+00:00')).toMatch(/^Thursday,? 26 November, 14:30 \(Moscow time\)$/)
  })

  it('adds the year only when it is not this year', () => {
    const now = new Date('2026-12-30T09:00:00Z')
    expect(formatDay('2027-01-02', 'ru', false, now)).toBe('суббота, 2 января 2027 г.')
    expect(formatDay('2026-12-31', 'ru', false, now)).toBe('четверг, 31 декабря')
    expect(formatDay('2026-12-31', 'ru', true, now)).toBe('чт, 31 дек.')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
  })

  it('shows the local time beside Moscow’s only when the browser’s clock differs', () => {
    expect(localTimeNote('2026-11-26T14:30:00+03:00')).toBe('')
    overrideBrowserTimeZone('Europe/Minsk') // the same clock as Moscow
    expect(localTimeNote('2026-11-26T14:30:00+03:00')).toBe('')
    overrideBrowserTimeZone('Asia/Yekaterinburg')
    expect(localTimeNote('2026-11-26T14:30:00+03:00')).toBe('(у вас 16:30)')
    expect(formatWhenFull('2026-11-26T14:30:00+03:00')).toBe('четверг, 26 ноября, 14:30 (МСК) (у вас 16:30)')
    overrideBrowserTimeZone('Asia/Vladivostok')
    expect(localTimeNote('2026-11-26T20:00:00+03:00')).toBe('(у вас пт, 27 нояб., 03:00)')
    overrideBrowserTimeZone('Not/A_Zone')
    expect(localTimeNote('2026-11-26T14:30:00+03:00')).toBe('')
  })

  it('counts down in minutes and seconds', () => {
    expect(formatCountdown(15 * 60000)).toBe('осталось 15 мин 00 с')
    expect(formatCountdown(65500)).toBe('осталось 1 мин 05 с')
    expect(formatCountdown(-1000)).toBe('осталось 0 мин 00 с')
  })

  it('has a Russian label for every booking status', () => {
    const labels = BOOKING_STATUSES.map((status) => statusLabel(status))
    expect(labels).toEqual([
      'Время закреплено, ожидает оплаты',
      'Ожидает оплаты',
      'Оплачена',
      'Идёт консультация',
      'Консультация проведена',
      'Время на оплату истекло',
      'Отменена',
      'Деньги возвращены',
      'Пациент не подключился',
      'Врач не подключился',
    ])
  })

  it('writes durations out with the right plural form, not «15 с»', () => {
    expect(formatCount(1, 'seconds')).toBe('1 секунда')
    expect(formatCount(2, 'seconds')).toBe('2 секунды')
    expect(formatCount(5, 'seconds')).toBe('5 секунд')
    expect(formatCount(15, 'seconds')).toBe('15 секунд')
    expect(formatCount(21, 'minutes')).toBe('21 минута')
    expect(formatCount(12, 'minutes')).toBe('12 минут')
    expect(formatCount(24, 'hours')).toBe('24 часа')
    expect(formatCount(111, 'hours')).toBe('111 часов')
    expect(formatCount(1500, 'minutes')).toBe('1\u00a0500 минут')
    expect([1, 2, 5, 11, 14, 21, 22, 25, 101, 112].map((n) => pluralCategory(n, 'ru'))).toEqual([
      'one', 'few', 'many', 'many', 'many', 'one', 'few', 'many', 'one', 'many',
    ])
    expect(pluralCategory(1, 'en')).toBe('one')
    expect(pluralCategory(2, 'en')).toBe('other')
  })

  it('sets off thousands with a no-break space', () => {
    expect(formatNumber(1500)).toBe('1\u00a0500')
    expect(formatNumber(999)).toBe('999')
    expect(formatNumber(12500, 'en')).toBe('12,500')
  })

  it('puts the weekday in the genitive after «до»', () => {
    expect(dayInGenitive('четверг, 3 декабря')).toBe('четверга, 3 декабря')
    expect(dayInGenitive('среда, 2 декабря')).toBe('среды, 2 декабря')
    expect(dayInGenitive('воскресенье, 6 декабря')).toBe('воскресенья, 6 декабря')
    expect(formatWhen('2026-12-03T11:30:00Z', true)).toBe('четверга, 3 декабря, 14:30 (МСК)')
    expect(formatWhen('2026-12-03T11:30:00Z')).toBe('четверг, 3 декабря, 14:30 (МСК)')
  })
})

describe('formatSpeed', () => {
  it('says an upload speed as people read it: kilobits under a megabit, then megabits', () => {
    expect(formatSpeed(96, 'ru')).toBe('96 кбит/с')
    expect(formatSpeed(1500, 'ru')).toBe('1,5 Мбит/с')
    expect(formatSpeed(41705, 'ru')).toBe('42 Мбит/с') // the device check said «Около 41705 кбит/с»
  })
})
