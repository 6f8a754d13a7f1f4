import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import App from '../src/App.vue'
import { nextInterval, weekFrom, weeklyHours, withDayOff } from '../src/schedule'
import { setActiveRole, setUser } from '../src/session'
import { cardiologist } from './bookingFixtures'
import { apiError, doctorPatient, jsonResponse, mountWithRouter, registrar, sentBodies, stubApi } from './helpers'

const therapist = { ...cardiologist, id: 'd-2', full_name: 'Смирнов Павел Андреевич', specialty: { id: 'therapy', name: 'Терапия' } }
const withSchedule = {
  ...cardiologist,
  weekly_hours: { '1': [['09:00', '13:00']], '3': [['14:00', '18:00'], ['09:00', '12:00']] },
  days_off: ['2026-12-31'],
}

describe('the week as the API takes it', () => {
  it('keeps the hours of every day, in order of their start, and leaves out days without hours', () => {
    const week = weekFrom(withSchedule)
    expect(week['2']).toEqual([])
    expect(weeklyHours(week)).toEqual({ '1': [['09:00', '13:00']], '3': [['09:00', '12:00'], ['14:00', '18:00']] })
  })

  it('offers the next hours after the last ones, and the morning for an empty day', () => {
    expect(nextInterval([])).toEqual({ from: '09:00', to: '13:00' })
    expect(nextInterval([{ from: '09:00', to: '13:00' }])).toEqual({ from: '13:00', to: '17:00' })
    expect(nextInterval([{ from: '14:00', to: '21:30' }])).toEqual({ from: '21:30', to: '23:30' })
  })

  it('lists each day off once, in date order, and ignores what is not a date', () => {
    expect(withDayOff(['2026-12-31'], '2026-12-30')).toEqual(['2026-12-30', '2026-12-31'])
    expect(withDayOff(['2026-12-31'], '2026-12-31')).toEqual(['2026-12-31'])
    expect(withDayOff([], '')).toEqual([])
  })
})

describe('«Расписание врачей»', () => {
  it('shows the chosen doctor’s week, saves the changes and says what happened to the slots', async () => {
    setUser(registrar)
    const fetchMock = stubApi({
      'GET /api/doctors': () => jsonResponse(200, [cardiologist, therapist]),
      'GET /api/doctors/d-1': () => jsonResponse(200, withSchedule),
      'PUT /api/doctors/d-1/schedule': (body) =>
        jsonResponse(200, {
          ...withSchedule,
          ...(body as object),
          slots: { created: 16, removed: 0, kept_taken: 2, days_done: 14, rest: 'queued' },
        }),
    })
    const { wrapper } = await mountWithRouter(App, '/schedule?doctor=d-1')
    await flushPromises()

    const monday = wrapper.find('[data-test="day-1"]')
    expect(monday.find('legend').text()).toBe('Понедельник')
    expect((monday.find('#from-1-0').element as HTMLInputElement).value).toBe('09:00')
    expect(wrapper.find('[data-test="day-2"]').text()).toContain('Не принимает')
    expect(wrapper.find('[data-test="days-off"]').text()).toContain('31 декабря 2026 г.')

    await wrapper.find('[data-test="day-2"] [data-test="add-hours"]').trigger('click')
    await wrapper.find('#to-2-0').setValue('12:00')
    await wrapper.find('#new-day-off').setValue('2027-01-04')
    await wrapper.find('[data-test="add-day-off"]').trigger('click')
    await wrapper.find('main form').trigger('submit')
    await flushPromises()

    expect(sentBodies(fetchMock, 'PUT /api/doctors/d-1/schedule')).toEqual([
      {
        weekly_hours: { '1': [['09:00', '13:00']], '2': [['09:00', '12:00']], '3': [['09:00', '12:00'], ['14:00', '18:00']] },
        days_off: ['2026-12-31', '2027-01-04'],
      },
    ])
    expect(wrapper.find('[data-test="schedule-saved"]').text()).toBe(
      'Расписание сохранено. Свободное время на ближайшие 14 дн. обновлено: добавлено консультаций — 16, убрано — 0. ' +
        'Уже занятое пациентами время (2) не тронуто: эти записи остаются в силе. ' +
        'Остальные недели обновятся в течение нескольких минут.',
    )
  })

  it('shows the server’s words about the hours next to them, and changes nothing on the page', async () => {
    setUser(registrar)
    stubApi({
      'GET /api/doctors': () => jsonResponse(200, [cardiologist]),
      'GET /api/doctors/d-1': () => jsonResponse(200, withSchedule),
      'PUT /api/doctors/d-1/schedule': () =>
        apiError(400, 'validation_error', 'Проверьте, пожалуйста, заполнение полей.', {
          weekly_hours: 'Интервалы приёма в один день не должны пересекаться.',
        }),
    })
    const { wrapper } = await mountWithRouter(App, '/schedule')
    await flushPromises()
    expect((wrapper.find('[data-test="schedule-doctor"]').element as HTMLSelectElement).value).toBe('d-1')
    await wrapper.find('main form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-test="hours-error"]').text()).toBe('Интервалы приёма в один день не должны пересекаться.')
    expect(wrapper.find('[data-test="schedule-saved"]').exists()).toBe(false)
  })

  it('lets a doctor see and set their own week, without a choice of doctor', async () => {
    setUser({ ...doctorPatient, id: 'd-1' })
    setActiveRole('doctor')
    const fetchMock = stubApi({
      'GET /api/doctors/d-1': () => jsonResponse(200, withSchedule),
      'PUT /api/doctors/d-1/schedule': (body) => jsonResponse(200, { ...withSchedule, ...(body as object) }),
    })
    const { wrapper } = await mountWithRouter(App, '/schedule')
    await flushPromises()
    expect(wrapper.find('h1').text()).toBe('Моё расписание')
    expect(wrapper.find('[data-test="schedule-doctor"]').exists()).toBe(false)
    expect(fetchMock.mock.calls.map(([url]) => url)).not.toContain('/api/doctors')
    await wrapper.find('[data-test="day-1"] button').trigger('click') // «Убрать» Monday's hours
    await wrapper.find('main form').trigger('submit')
    await flushPromises()
    expect(sentBodies(fetchMock, 'PUT /api/doctors/d-1/schedule')).toEqual([
      { weekly_hours: { '3': [['09:00', '12:00'], ['14:00', '18:00']] }, days_off: ['2026-12-31'] },
    ])
    expect(wrapper.find('[data-test="schedule-saved"]').text()).toBe('Расписание сохранено.')
  })

  it('tells a patient it is for the registry and doctors, without asking the API', async () => {
    setUser({ ...doctorPatient, roles: ['patient'] })
    const fetchMock = stubApi({})
    const { wrapper } = await mountWithRouter(App, '/schedule?doctor=d-1')
    await flushPromises()
    expect(wrapper.find('[data-test="no-access"]').text()).toContain('для регистратуры и врачей')
    expect(fetchMock).not.toHaveBeenCalled()
  })
})
