import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import App from '../src/App.vue'
import { apiError, deferredResponse, jsonResponse, mountWithRouter, sentBodies, stubApi, signedOutSession } from './helpers'

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

async function setPasswords(wrapper: Wrapper, next: string, repeat: string) {
  await flushPromises() // the link's check answers first: the form shows only for a link that works
  await wrapper.find('#reset-new-password').setValue(next)
  await wrapper.find('#reset-new-password-repeat').setValue(repeat)
  await wrapper.find('main form').trigger('submit')
  await flushPromises()
}

describe('ForgotPasswordView', () => {
  it('sends the address and always answers with the same neutral message', async () => {
    const fetchMock = stubApi({
      'GET /api/session': signedOutSession,
      'POST /api/auth/password-reset': () => jsonResponse(202, { status: 'accepted' }),
    })
    const { wrapper } = await mountWithRouter(App, '/forgot-password')
    expect(wrapper.find('label[for="forgot-email"]').text()).toBe('Электронная почта')
    await wrapper.find('#forgot-email').setValue(' maria@example.ru ')
    await wrapper.find('main form').trigger('submit')
    await flushPromises()

    expect(sentBodies(fetchMock, 'POST /api/auth/password-reset')).toEqual([{ email: 'maria@example.ru' }])
    const sent = wrapper.find('[data-test="reset-sent"]').text()
    expect(sent).toContain('Если в личном кабинете есть учётная запись с адресом maria@example.ru')
    expect(sent).toContain('Ссылка действует 60 минут')
    expect(sent).toContain('«Спам»')
    expect(wrapper.find('main form').exists()).toBe(false)
  })

  it('shows a field message for an empty address', async () => {
    stubApi({
      'GET /api/session': signedOutSession,
      'POST /api/auth/password-reset': () =>
        apiError(400, 'validation_error', 'Проверьте, пожалуйста, заполнение полей.', { email: 'Заполните это поле.' }),
    })
    const { wrapper } = await mountWithRouter(App, '/forgot-password')
    await wrapper.find('main form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('#forgot-email-error').text()).toBe('Заполните это поле.')
    expect(wrapper.find('[data-test="reset-sent"]').exists()).toBe(false)
  })
})

describe('ResetPasswordView', () => {
  it('checks the repeat, then saves with the token and links to sign-in', async () => {
    const fetchMock = stubApi({
      'GET /api/session': signedOutSession,
      'POST /api/auth/password-reset/check': () => jsonResponse(200, { state: 'valid' }),
      'POST /api/auth/password-reset/confirm': () => new Response(null, { status: 204 }),
    })
    const { wrapper } = await mountWithRouter(App, '/reset-password#token=tok-123')

    await setPasswords(wrapper, 'river-stone-lamp', 'river-stone-lam')
    expect(wrapper.find('#reset-new-password-repeat-error').text()).toContain('Пароли не совпадают')
    expect(sentBodies(fetchMock, 'POST /api/auth/password-reset/confirm')).toEqual([])

    await setPasswords(wrapper, 'river-stone-lamp', 'river-stone-lamp')
    expect(sentBodies(fetchMock, 'POST /api/auth/password-reset/confirm')).toEqual([
      { token: 'tok-123', new_password: 'river-stone-lamp' },
    ])
    const done = wrapper.find('[data-test="reset-done"]')
    expect(done.text()).toContain('Новый пароль сохранён')
    expect(done.find('a[href="/login"]').exists()).toBe(true)
  })

  it('shows a weak password’s reason next to the field', async () => {
    stubApi({
      'GET /api/session': signedOutSession,
      'POST /api/auth/password-reset/check': () => jsonResponse(200, { state: 'valid' }),
      'POST /api/auth/password-reset/confirm': () =>
        apiError(400, 'validation_error', 'Проверьте, пожалуйста, заполнение полей.', {
          new_password: 'Пароль должен быть не короче 8 символов.',
        }),
    })
    const { wrapper } = await mountWithRouter(App, '/reset-password#token=tok-123')
    await setPasswords(wrapper, 'short', 'short')
    expect(wrapper.find('#reset-new-password-error').text()).toBe('Пароль должен быть не короче 8 символов.')
  })

  it('shows the server’s message and a link to ask again for a used or old link', async () => {
    const message = 'Ссылка для смены пароля недействительна: она уже использована или устарела.'
    stubApi({
      'GET /api/session': signedOutSession,
      'POST /api/auth/password-reset/check': () => jsonResponse(200, { state: 'valid' }),
      'POST /api/auth/password-reset/confirm': () => apiError(400, 'invalid_reset_token', message),
    })
    const { wrapper } = await mountWithRouter(App, '/reset-password#token=old')
    await setPasswords(wrapper, 'river-stone-lamp', 'river-stone-lamp')

    const invalid = wrapper.find('[data-test="reset-invalid"]')
    expect(invalid.text()).toContain(message)
    expect(invalid.find('a[href="/forgot-password"]').exists()).toBe(true)
    expect(wrapper.find('main form').exists()).toBe(false)
  })

  it('explains a link without a token', async () => {
    stubApi({ 'GET /api/session': signedOutSession })
    const { wrapper } = await mountWithRouter(App, '/reset-password')
    expect(wrapper.find('[data-test="reset-invalid"]').text()).toContain('Ссылка для смены пароля неполная')
  })

  it('moves the token of a link sent before out of the query, into the fragment, and still uses it', async () => {
    const fetchMock = stubApi({
      'GET /api/session': signedOutSession,
      'POST /api/auth/password-reset/check': () => jsonResponse(200, { state: 'valid' }),
      'POST /api/auth/password-reset/confirm': () => new Response(null, { status: 204 }),
    })
    const { wrapper, router } = await mountWithRouter(App, '/reset-password?token=tok-old')
    expect(router.currentRoute.value.fullPath).toBe('/reset-password#token=tok-old')
    expect(router.currentRoute.value.query).toEqual({})
    await setPasswords(wrapper, 'river-stone-lamp', 'river-stone-lamp')
    expect(sentBodies(fetchMock, 'POST /api/auth/password-reset/confirm')).toEqual([
      { token: 'tok-old', new_password: 'river-stone-lamp' },
    ])
  })

  it.each([
    ['used', 'Ссылка уже использована', 'второй раз она не действует'],
    ['expired', 'Срок действия ссылки истёк', 'действует 60 минут'],
    ['unknown', 'Ссылка недействительна', 'скопирована не целиком'],
  ])('says at once, before any password field, that a %s link does not work and how to get a new one', async (state, title, text) => {
    const fetchMock = stubApi({
      'GET /api/session': signedOutSession,
      'POST /api/auth/password-reset/check': () => jsonResponse(200, { state }),
    })
    const { wrapper } = await mountWithRouter(App, '/reset-password#token=tok-9')
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/auth/password-reset/check')).toEqual([{ token: 'tok-9' }])
    const dead = wrapper.find('[data-test="reset-dead"]')
    expect(dead.find('h2').text()).toBe(title)
    expect(dead.text()).toContain(text)
    expect(dead.find('a[href="/forgot-password"]').text()).toBe('Запросить новую ссылку')
    expect(wrapper.find('#reset-new-password').exists()).toBe(false)
  })

  it('shows no password field while the link is being checked', async () => {
    const pending = deferredResponse()
    stubApi({
      'GET /api/session': signedOutSession,
      'POST /api/auth/password-reset/check': () => pending.promise,
    })
    const { wrapper } = await mountWithRouter(App, '/reset-password#token=tok-9')
    expect(wrapper.find('[data-test="reset-checking"]').text()).toBe('Проверяем ссылку…')
    expect(wrapper.find('#reset-new-password').exists()).toBe(false)
    pending.release(jsonResponse(200, { state: 'valid' }))
    await flushPromises()
    expect(wrapper.find('#reset-new-password').exists()).toBe(true)
  })
})
