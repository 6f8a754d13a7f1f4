/** The clinic works in Moscow time; every date and time on the site is shown in it. */
export const CLINIC_TIME_ZONE = 'Europe/Moscow'

function intlLocale(locale: string): string {
  return locale === 'en' ? 'en-GB' : 'ru-RU'
}

/**
 * Parses an ISO 8601 instant from the API. Older Safari rejects more than three
 * fractional digits (the API sends microseconds), so they are cut to milliseconds.
 */
export function parseInstant(iso: string): Date | null {
  const normalized = iso.replace(/(\.\d{3})\d+/, '$1')
  const time = Date.parse(normalized)
  return isNaN(time) ? null : new Date(time)
}

/** «26 ноября 2026 г., 07:23» in Moscow time; the raw text if it cannot be read. */
export function formatDateTime(iso: string, locale: string): string {
  const date = parseInstant(iso)
  if (!date) return iso
  return new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone: CLINIC_TIME_ZONE,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(date)
}

/** A calendar date (YYYY-MM-DD, e.g. a birth date) as «12 апреля 1985 г.», never shifted by a time zone. */
export function formatDate(ymd: string, locale: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd)
  if (!match) return ymd
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
  return new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(date)
}

/** Today's date in Moscow as YYYY-MM-DD (the upper bound of a birth date). */
export function todayInClinic(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: CLINIC_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now)
  const part = (type: string) => {
    for (const item of parts) if (item.type === type) return item.value
    return ''
  }
  return `${part('year')}-${part('month')}-${part('day')}`
}
