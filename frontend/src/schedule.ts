/**
 * A doctor's working week as the registry edits it, and as the API takes it:
 * `weekly_hours` maps ISO weekdays ("1" Monday … "7" Sunday) to [from, to] pairs
 * of clinic time ("09:00"), `days_off` lists dates (YYYY-MM-DD) without consultations.
 */
export const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const
export type Weekday = (typeof WEEKDAYS)[number]

export interface Interval {
  from: string
  to: string
}

export type Week = Record<Weekday, Interval[]>

export interface Schedule {
  weekly_hours?: Record<string, string[][]>
  days_off?: string[]
}

export function emptyWeek(): Week {
  return { '1': [], '2': [], '3': [], '4': [], '5': [], '6': [], '7': [] }
}

/** The editable week from the API's form. */
export function weekFrom(schedule: Schedule): Week {
  const week = emptyWeek()
  const hours = schedule.weekly_hours || {}
  WEEKDAYS.forEach((day) => {
    week[day] = (hours[day] || []).map((pair) => ({ from: pair[0] || '', to: pair[1] || '' }))
  })
  return week
}

/** The API's form of the week: days without hours are left out, intervals in order of their start. */
export function weeklyHours(week: Week): Record<string, string[][]> {
  const hours: Record<string, string[][]> = {}
  WEEKDAYS.forEach((day) => {
    const pairs = week[day]
      .map((interval) => [interval.from, interval.to])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    if (pairs.length > 0) hours[day] = pairs
  })
  return hours
}

/** A new interval for a day: after the day's last one, or the usual morning. */
export function nextInterval(intervals: Interval[]): Interval {
  const last = intervals[intervals.length - 1]
  if (!last || !/^\d\d:\d\d$/.test(last.to) || last.to >= '22:00') return { from: '09:00', to: '13:00' }
  const hour = Number(last.to.slice(0, 2))
  const end = Math.min(hour + 4, 23)
  return { from: last.to, to: `${String(end).padStart(2, '0')}:${last.to.slice(3)}` }
}

/** Days off in date order, each once. */
export function withDayOff(days: string[], day: string): string[] {
  if (!/^\d{4}-\d\d-\d\d$/.test(day) || days.indexOf(day) !== -1) return days.slice()
  return days.concat([day]).sort()
}
