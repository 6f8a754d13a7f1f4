import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import App from '../src/App.vue'
import { setUser, user } from '../src/session'
import { apiError, doctorPatient, mountWithRouter, patientMustChange, sentBodies, stubApi, sessionOf } from './helpers'

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

async function fill(wrapper: Wrapper, current: string | null, next: string, repeat: string) {
  if (current !== null) await wrapper.find('#current-password').setValue(current)
  await wrapper.find('#new-password').setValue(next)
  await wrapper.find('#new-password-repeat').setValue(repeat)
  await wrapper.find('main form').trigger('submit')
  await flushPromises()
}

describe('ChangePasswordView', () => {
  it('right after signing in with the temporary password does not ask for it again', async () => {
    setUser(patientMustChange)
    const { wrapper } = await mountWithRouter(App, '/change-password')
    const main = wrapper.find('main')
    expect(main.find('[data-test="forced"]').text()).toContain('Вы вошли по временному паролю из письма')
    expect(main.find('#current-password').exists()).toBe(false)
    expect(main.find('label[for="new-password"]').text()).toBe('Новый пароль')
    expect(main.find('label[for="new-password-repeat"]').text()).toBe('Повторите новый пароль')
    expect(main.find('button[type="submit"]').text()).toBe('Сохранить пароль')
  })

  it('asks for the temporary password when the server says the sign-in was too long ago', async () => {
    setUser(patientMustChange)
    const reason = 'С момента входа прошло больше 15 мин. Введите, пожалуйста, ещё раз временный пароль из письма, с которым вы вошли.'
    const fetchMock = stubApi({
      'POST /api/me/password': () =>
        apiError(400, 'validation_error', 'Проверьте, пожалуйста, заполнение полей.', { current_password: reason }),
    })
    const { wrapper } = await mountWithRouter(App, '/change-password')
    await fill(wrapper, null, 'river-stone-lamp', 'river-stone-lamp')
    expect(wrapper.find('#current-password-error').text()).toBe(reason)
    expect(wrapper.find('#current-password-hint').text()).toContain('временный пароль из письма')
    await fill(wrapper, 'Temp-1234', 'river-stone-lamp', 'river-stone-lamp')
    expect(sentBodies(fetchMock, 'POST /api/me/password')).toEqual([
      { new_password: 'river-stone-lamp' },
      { current_password: 'Temp-1234', new_password: 'river-stone-lamp' },
    ])
  })

  it('does not call it temporary when the person changes a password by choice', async () => {
    setUser(doctorPatient)
    const { wrapper } = await mountWithRouter(App, '/change-password')
    expect(wrapper.find('[data-test="forced"]').exists()).toBe(false)
    expect(wrapper.find('label[for="current-password"]').text()).toBe('Текущий пароль')
    expect(wrapper.find('#current-password-hint').exists()).toBe(false)
  })

  it('checks the repeated password before asking the server', async () => {
    setUser(patientMustChange)
    const fetchMock = stubApi({})
    const { wrapper } = await mountWithRouter(App, '/change-password')
    await fill(wrapper, null, 'river-stone-lamp', 'river-stone-lump')

    expect(fetchMock).not.toHaveBeenCalled()
    expect(wrapper.find('#new-password-repeat-error').text()).toBe(
      'Пароли не совпадают. Введите новый пароль ещё раз точно так же.',
    )
    expect(wrapper.find('#new-password-repeat').attributes('aria-invalid')).toBe('true')
  })

  it('shows the server’s reasons next to the right field', async () => {
    setUser(patientMustChange)
    stubApi({
      'POST /api/me/password': () =>
        apiError(400, 'validation_error', 'Проверьте, пожалуйста, заполнение полей.', {
          new_password: 'Этот пароль слишком распространён, его легко подобрать.',
        }),
    })
    const { wrapper, router } = await mountWithRouter(App, '/change-password')
    await fill(wrapper, null, 'password', 'password')

    expect(wrapper.find('#new-password-error').text()).toBe('Этот пароль слишком распространён, его легко подобрать.')
    expect(wrapper.find('#current-password-error').exists()).toBe(false)
    expect(wrapper.find('main [role="alert"]').text()).toBe('Проверьте, пожалуйста, заполнение полей.')
    expect(router.currentRoute.value.name).toBe('change-password')
  })

  it('saves without the temporary password, refreshes the person from /api/me and opens the cabinet', async () => {
    setUser(patientMustChange)
    const fetchMock = stubApi({
      'POST /api/me/password': () => new Response(null, { status: 204 }),
      'GET /api/session': () => sessionOf({ ...patientMustChange, must_change_password: false }),
    })
    const { wrapper, router } = await mountWithRouter(App, '/change-password')
    await fill(wrapper, null, 'river-stone-lamp', 'river-stone-lamp')

    expect(sentBodies(fetchMock, 'POST /api/me/password')).toEqual([{ new_password: 'river-stone-lamp' }])
    expect(user.value?.must_change_password).toBe(false)
    expect(router.currentRoute.value.name).toBe('cabinet')
    expect(wrapper.find('main [role="status"]').text()).toBe('Новый пароль сохранён.')
    expect(wrapper.find('[data-test="cabinet-name"]').text()).toBe('Соколов Андрей Ильич')
  })

  it('goes on to where the person was going (?next=, the booking wizard’s choice) after the forced change', async () => {
    setUser(patientMustChange)
    stubApi({
      'POST /api/me/password': () => new Response(null, { status: 204 }),
      'GET /api/session': () => sessionOf({ ...patientMustChange, must_change_password: false }),
    })
    const next = '/booking?step=confirm&specialty=s1&doctor=d1&slot=x1'
    const { wrapper, router } = await mountWithRouter(App, `/change-password?next=${encodeURIComponent(next)}`)
    await fill(wrapper, null, 'river-stone-lamp', 'river-stone-lamp')
    expect(router.currentRoute.value.fullPath).toBe(next)
  })
})
