import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { user } from '../src/session'
import { apiError, deferredResponse, doctorPatient, jsonResponse, mountWithRouter, notSignedIn, patientMustChange, sentBodies, stubApi, signedOutSession } from './helpers'

async function openLogin(path = '/login', login: (body: unknown) => Response | Promise<Response> = () => notSignedIn()) {
  const fetchMock = stubApi({ 'GET /api/session': signedOutSession, 'POST /api/auth/login': login })
  const mounted = await mountWithRouter(App, path)
  await flushPromises()
  return { ...mounted, fetchMock }
}

async function fillAndSubmit(wrapper: Awaited<ReturnType<typeof openLogin>>['wrapper'], login: string, password: string) {
  await wrapper.find('#login-login').setValue(login)
  await wrapper.find('#login-password').setValue(password)
  await wrapper.find('form').trigger('submit')
  await flushPromises()
}

describe('LoginView', () => {
  it('has the seed’s fields, link and button with labels', async () => {
    const { wrapper } = await openLogin()
    const main = wrapper.find('main')
    expect(main.find('h1').text()).toBe('Вход в личный кабинет')
    expect(main.find('label[for="login-login"]').text()).toBe('Логин')
    expect(main.find('label[for="login-password"]').text()).toBe('Пароль')
    expect(main.find('#login-password').attributes('type')).toBe('password')
    expect(main.find('a[href="/forgot-password"]').text()).toBe('Забыли пароль?')
    expect(main.find('button[type="submit"]').text()).toBe('Войти')
    expect(main.find('a[href="/request"]').exists()).toBe(true)
  })

  it('shows the server’s field messages next to the fields', async () => {
    const { wrapper } = await openLogin('/login', () =>
      apiError(400, 'validation_error', 'Проверьте, пожалуйста, заполнение полей.', {
        login: 'Заполните это поле.',
        password: 'Заполните это поле.',
      }),
    )
    await fillAndSubmit(wrapper, '', '')

    const input = wrapper.find('#login-login')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toContain('login-login-error')
    expect(wrapper.find('#login-login-error').text()).toBe('Заполните это поле.')
    expect(wrapper.find('#login-password-error').text()).toBe('Заполните это поле.')
    expect(wrapper.find('main [role="alert"]').text()).toBe('Проверьте, пожалуйста, заполнение полей.')
    expect(document.activeElement).toBe(input.element)
  })

  it('shows a wrong password as a general message', async () => {
    const message = 'Неверный логин или пароль. Проверьте раскладку клавиатуры и попробуйте ещё раз.'
    const { wrapper, router } = await openLogin('/login', () => apiError(401, 'invalid_credentials', message))
    await fillAndSubmit(wrapper, 'maria@example.ru', 'wrong-password')

    expect(wrapper.find('main [role="alert"]').text()).toBe(message)
    expect(wrapper.find('[aria-invalid="true"]').exists()).toBe(false)
    expect(router.currentRoute.value.name).toBe('login')
    expect(user.value).toBeNull()
  })

  it('shows the throttling message with its seconds', async () => {
    const message = 'Слишком много попыток. Повторите, пожалуйста, через 42 с.'
    const { wrapper } = await openLogin('/login', () =>
      new Response(JSON.stringify({ error: { code: 'too_many_requests', message } }), {
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '42' },
      }),
    )
    await fillAndSubmit(wrapper, 'maria@example.ru', 'x')
    expect(wrapper.find('main [role="alert"]').text()).toBe(message)
  })

  it('disables the button while signing in and sends the trimmed login', async () => {
    const pending = deferredResponse()
    const { wrapper, fetchMock } = await openLogin('/login', () => pending.promise)
    await wrapper.find('#login-login').setValue('  maria@example.ru ')
    await wrapper.find('#login-password').setValue(' secret ')
    await wrapper.find('form').trigger('submit')

    expect(wrapper.find('button[type="submit"]').attributes('disabled')).toBeDefined()
    pending.release(jsonResponse(200, { user: doctorPatient }))
    await flushPromises()

    expect(sentBodies(fetchMock, 'POST /api/auth/login')).toEqual([
      { login: 'maria@example.ru', password: ' secret ' },
    ])
  })

  it('sends a person with a temporary password to /change-password', async () => {
    const { wrapper, router } = await openLogin('/login?next=/registry/requests', () =>
      jsonResponse(200, { user: patientMustChange }),
    )
    await fillAndSubmit(wrapper, 'andrey@example.ru', 'Temp-1234')

    // The next page is a chunk of its own, fetched on the way (src/router.ts).
    await vi.waitFor(() => expect(wrapper.find('main h1').text()).toBe('Смена пароля'))
    expect(router.currentRoute.value.path).toBe('/change-password')
    expect(wrapper.find('[data-test="user-name"]').text()).toBe('Соколов Андрей Ильич')
  })

  it('goes to ?next= after signing in', async () => {
    const { wrapper, router } = await openLogin('/login?next=%2Fcabinet%3Ffrom%3Dmail', () =>
      jsonResponse(200, { user: doctorPatient }),
    )
    expect(wrapper.find('main').text()).toContain('Чтобы открыть эту страницу, войдите в личный кабинет.')
    await fillAndSubmit(wrapper, 'maria@example.ru', 'good-password')
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/cabinet?from=mail'))
  })

  it('goes to the cabinet without ?next= and ignores a next that leaves the site', async () => {
    const { wrapper, router } = await openLogin('/login?next=//evil.example/phish', () =>
      jsonResponse(200, { user: doctorPatient }),
    )
    await fillAndSubmit(wrapper, 'maria@example.ru', 'good-password')
    expect(router.currentRoute.value.fullPath).toBe('/cabinet')
    expect(wrapper.find('[data-test="cabinet-name"]').text()).toBe('Иванова Мария Петровна')
  })
})
