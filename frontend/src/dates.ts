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

// --- Consultation times -----------------------------------------------------------------

let zoneOverride: string | null | undefined

/** Tests pin the browser's zone with this; `undefined` goes back to asking the browser. */
export function overrideBrowserTimeZone(zone: string | null | undefined): void {
  zoneOverride = zone
}

/** The browser's IANA zone (e.g. «Asia/Yekaterinburg»), or null if it cannot say. */
export function browserTimeZone(): string | null {
  if (zoneOverride !== undefined) return zoneOverride
  try {
    return new Intl.DateTimeFormat().resolvedOptions().timeZone || null
  } catch {
    return null
  }
}

interface ZonedParts {
  year: string
  month: string
  day: string
  hour: string
  minute: string
  second: string
}

/** An instant's calendar and wall-clock parts in a zone, two digits each (the year four). */
export function zonedParts(date: Date, timeZone: string): ZonedParts {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).formatToParts(date)
  const found: Record<string, string> = {}
  for (const part of parts) found[part.type] = part.value
  // Some engines write midnight as 24:00 with hour12: false.
  const hour = found.hour === '24' ? '00' : found.hour
  return { year: found.year, month: found.month, day: found.day, hour, minute: found.minute, second: found.second }
}

/** «14:30»: the wall-clock time of an instant in a zone (Moscow by default). */
export function formatTime(date: Date, timeZone: string = CLINIC_TIME_ZONE): string {
  const parts = zonedParts(date, timeZone)
  return `${parts.hour}:${parts.minute}`
}

/** The calendar date (YYYY-MM-DD) of an instant in a zone (Moscow by default). */
export function dateInZone(date: Date, timeZone: string = CLINIC_TIME_ZONE): string {
  const parts = zonedParts(date, timeZone)
  return `${parts.year}-${parts.month}-${parts.day}`
}

/** YYYY-MM-DD plus `days` calendar days. */
export function addDays(ymd: string, days: number): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd)
  if (!match) return ymd
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days))
  return date.toISOString().slice(0, 10)
}

function ymdToUtcNoon(ymd: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd)
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12)) : null
}

/**
 * A calendar day as «четверг, 26 ноября» (with the year when it is not this
 * year in Moscow); `short` gives «чт, 26 нояб.» for the day buttons.
 */
export function formatDay(ymd: string, locale: string, short = false, now: Date = new Date()): string {
  const date = ymdToUtcNoon(ymd)
  if (!date) return ymd
  const options: Intl.DateTimeFormatOptions = {
    timeZone: 'UTC',
    weekday: short ? 'short' : 'long',
    day: 'numeric',
    month: short ? 'short' : 'long',
  }
  if (!short && ymd.slice(0, 4) !== todayInClinic(now).slice(0, 4)) options.year = 'numeric'
  return new Intl.DateTimeFormat(intlLocale(locale), options).format(date)
}

const WEEKDAY_GENITIVE: Record<string, string> = {
  понедельник: 'понедельника',
  вторник: 'вторника',
  среда: 'среды',
  четверг: 'четверга',
  пятница: 'пятницы',
  суббота: 'субботы',
  воскресенье: 'воскресенья',
}

/** A Russian date after «до» or «с»: «четверг, 26 ноября» → «четверга, 26 ноября» (the month is genitive already). */
export function dayInGenitive(text: string): string {
  return text.replace(/^[а-яё]+/, (word) => WEEKDAY_GENITIVE[word] || word)
}

/** Whole minutes between two instants (e.g. a slot's length). */
export function minutesBetween(startIso: string, endIso: string): number | null {
  const start = parseInstant(startIso)
  const end = parseInstant(endIso)
  if (!start || !end) return null
  return Math.round((end.getTime() - start.getTime()) / 60000)
}
