import { browserTimeZone, CLINIC_TIME_ZONE, dateInZone, dayInGenitive, formatDay, formatTime, parseInstant } from './dates'
import { isBookingStatus } from './booking'
import { i18n } from './i18n'

// These read the current locale, so a template that calls them follows the language switch.

function t(key: string, params: Record<string, unknown> = {}): string {
  return i18n.global.t(key, params)
}

function currentLocale(): string {
  return i18n.global.locale.value
}

/** «3 500 ₽» (no-break spaces, as in print); «3,500 ₽» in English. */
export function formatPrice(amount: number, locale: string = currentLocale()): string {
  return `${formatNumber(amount, locale)}\u00a0₽`
}

/**
 * «четверг, 26 ноября, 14:30 (МСК)»: the clinic's time, which every consultation is agreed in. `genitive`: after
 * «до» / «с» in Russian, «четверга, 26 ноября, 14:30 (МСК)».
 */
export function formatWhen(iso: string, genitive = false): string {
  const date = parseInstant(iso)
  if (!date) return iso
  const day = formatDay(dateInZone(date), currentLocale())
  return t('when.clinic', { date: genitive ? dayInGenitive(day) : day, time: formatTime(date) })
}

/**
 * «(у вас 16:30)» when the browser's zone shows another wall-clock time than
 * Moscow (with the date if that differs too); '' otherwise.
 */
export function localTimeNote(iso: string): string {
  const date = parseInstant(iso)
  const zone = browserTimeZone()
  if (!date || !zone || zone === CLINIC_TIME_ZONE) return ''
  let time: string
  let day: string
  try {
    time = formatTime(date, zone)
    day = dateInZone(date, zone)
  } catch {
    // A zone name this browser's Intl does not know.
    return ''
  }
  const clinicDay = dateInZone(date)
  if (time === formatTime(date) && day === clinicDay) return ''
  if (day !== clinicDay) return t('when.localOtherDay', { date: formatDay(day, currentLocale(), true), time })
  return t('when.local', { time })
}

/** The clinic's time with the local one beside it when they differ. */
export function formatWhenFull(iso: string): string {
  const local = localTimeNote(iso)
  return local ? `${formatWhen(iso)} ${local}` : formatWhen(iso)
}

/** «14:30» in Moscow. */
export function formatClinicTime(iso: string): string {
  const date = parseInstant(iso)
  return date ? formatTime(date) : iso
}

/** «16:30» in the browser's zone when it differs from Moscow's wall clock, else ''. */
export function localTimeOnly(iso: string): string {
  const date = parseInstant(iso)
  const zone = browserTimeZone()
  if (!date || !zone || zone === CLINIC_TIME_ZONE) return ''
  try {
    const local = formatTime(date, zone)
    return local === formatTime(date) ? '' : local
  } catch {
    return ''
  }
}

export function statusLabel(status: string): string {
  return isBookingStatus(status) ? t(`bookingStatus.${status}`) : status
}

/** «14 мин 05 с» */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const minutes = Math.floor(total / 60)
  const seconds = total % 60
  return t('countdown.left', { minutes: String(minutes), seconds: seconds < 10 ? `0${seconds}` : String(seconds) })
}

/** A whole number with thousands set off by a no-break space (a comma in English): «12 500». */
export function formatNumber(n: number, locale: string = currentLocale()): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, locale === 'en' ? ',' : '\u00a0')
}

/** `hoursGenitive`: after «больше» / «меньше» («больше 24 часов», «меньше 1 часа»). */
export type CountUnit = 'seconds' | 'minutes' | 'hours' | 'hoursGenitive'

/** The CLDR plural category of a whole number: «1 минута» one, «3 минуты» few, «5 минут» many; one/other in English. */
export function pluralCategory(n: number, locale: string = currentLocale()): 'one' | 'few' | 'many' | 'other' {
  const whole = Math.abs(Math.round(n))
  if (locale === 'en') return whole === 1 ? 'one' : 'other'
  const last = whole % 10
  const lastTwo = whole % 100
  if (last === 1 && lastTwo !== 11) return 'one'
  if (last >= 2 && last <= 4 && (lastTwo < 12 || lastTwo > 14)) return 'few'
  return 'many'
}

/** A number with its word in the right form: «1 минута», «3 минуты», «15 секунд» (`units.*` in the locale). */
export function formatCount(n: number, unit: CountUnit, locale: string = currentLocale()): string {
  return t(`units.${unit}.${pluralCategory(n, locale)}`, { n: formatNumber(n, locale) })
}

/** An upload speed: «96 кбит/с», «1,5 Мбит/с», «42 Мбит/с» (whole megabits from 10 up). */
export function formatSpeed(kbps: number, locale: string = currentLocale()): string {
  const number = (value: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value)
  if (kbps < 1000) return t('units.kbps', { value: number(Math.round(kbps)) })
  return t('units.mbps', { value: number(kbps >= 10000 ? Math.round(kbps / 1000) : kbps / 1000) })
}
