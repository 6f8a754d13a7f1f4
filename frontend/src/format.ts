import { browserTimeZone, CLINIC_TIME_ZONE, dateInZone, formatDay, formatTime, parseInstant } from './dates'
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
  const grouped = String(Math.round(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, locale === 'en' ? ',' : '\u00a0')
  return `${grouped}\u00a0₽`
}

/** «четверг, 26 ноября, 14:30 (МСК)»: the clinic's time, which every consultation is agreed in. */
export function formatWhen(iso: string): string {
  const date = parseInstant(iso)
  if (!date) return iso
  return t('when.clinic', { date: formatDay(dateInZone(date), currentLocale()), time: formatTime(date) })
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
