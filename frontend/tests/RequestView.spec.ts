import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import App from '../src/App.vue'
import { apiError, jsonResponse, mountWithRouter, sentBodies, stubApi, signedOutSession } from './helpers'

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

async function fill(wrapper: Wrapper, comment = '') {
  await wrapper.find('#request-full-name').setValue('Кузнецова Елена Сергеевна')
  await wrapper.find('#request-email').setValue('elena@example.ru')
  await wrapper.find('#request-phone').setValue('+7 921 555-12-34')
  await wrapper.find('#request-comment').setValue(comment)
  await wrapper.find('main form').trigger('submit')
  await flushPromises()
}

describe('RequestView', () => {
  it('is linked from the home page where the seed mentions the request, and from /login', async () => {
    stubApi({ 'GET /api/session': signedOutSession })
    const { wrapper, router } = await mountWithRouter(App, '/')
    const account = wrapper.find('section[aria-labelledby="account-title"]')
    expect(account.text()).toContain('оставьте заявку на сайте: «Заявка на медицинскую карту»')
    expect(account.find('a[href="/request"]').text()).toBe('«Заявка на медицинскую карту»')

    await router.push('/login')
    await flushPromises()
    expect(wrapper.find('main').find('a[href="/request"]').exists()).toBe(true)
  })

  it('labels every field', async () => {
    stubApi({ 'GET /api/session': signedOutSession })
    const { wrapper } = await mountWithRouter(App, '/request')
    expect(wrapper.find('main h1').text()).toBe('Заявка на медицинскую карту')
    expect(wrapper.findAll('main label').map((label) => label.text())).toEqual([
      'ФИО',
      'Электронная почта',
      'Телефон',
      'Комментарий',
    ])
  })

  it('shows field messages from a 400 next to the fields', async () => {
    stubApi({
      'GET /api/session': signedOutSession,
      'POST /api/registration-requests': () =>
        apiError(400, 'validation_error', 'Проверьте, пожалуйста, заполнение полей.', {
          phone: 'Укажите телефон, например +7 812 123-45-67.',
          email: 'Укажите адрес электронной почты, например ivanova@mail.ru.',
        }),
    })
    const { wrapper } = await mountWithRouter(App, '/request')
    await fill(wrapper)
    expect(wrapper.find('#request-phone-error').text()).toBe('Укажите телефон, например +7 812 123-45-67.')
    expect(wrapper.find('#request-email-error').text()).toBe('Укажите адрес электронной почты, например ivanova@mail.ru.')
    expect(wrapper.find('#request-full-name-error').exists()).toBe(false)
  })

  it('sends the request (without an empty comment) and explains what happens next', async () => {
    const fetchMock = stubApi({
      'GET /api/session': signedOutSession,
      'POST /api/registration-requests': (body) =>
        jsonResponse(201, { id: 'r-1', status: 'new', created_at: '2026-11-26T04:30:00+00:00', comment: '', ...(body as object) }),
    })
    const { wrapper } = await mountWithRouter(App, '/request')
    await fill(wrapper, '   ')

    expect(sentBodies(fetchMock, 'POST /api/registration-requests')).toEqual([
      { full_name: 'Кузнецова Елена Сергеевна', email: 'elena@example.ru', phone: '+7 921 555-12-34' },
    ])
    expect(document.activeElement).toBe(wrapper.find('[data-test="request-sent"]').element)
    const sent = wrapper.find('[data-test="request-sent"]').text()
    expect(sent).toContain('Регистратура оформит вам медицинскую карту')
    expect(sent).toContain('логин и пароль от личного кабинета придут на адрес elena@example.ru')
  })

  it('says so when the server cannot be reached and keeps what was typed', async () => {
    stubApi({ 'GET /api/session': signedOutSession })
    const { wrapper } = await mountWithRouter(App, '/request')
    await fill(wrapper, 'к кардиологу')
    expect(wrapper.find('main [role="alert"]').text()).toContain('Не удалось связаться с сервером')
    expect((wrapper.find('#request-comment').element as HTMLTextAreaElement).value).toBe('к кардиологу')
  })
})
