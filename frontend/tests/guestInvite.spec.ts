import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import GuestInvite from '../src/components/GuestInvite.vue'
import { i18n } from '../src/i18n'
import { apiError, jsonResponse, sentBodies, stubApi } from './helpers'

const PATH = '/api/bookings/b-1/guest'
const invited = {
  may_invite: false,
  guest: {
    name: 'Петров Иван',
    email: 'ivan@example.ru',
    relation: 'interpreter',
    status: 'invited',
    invited_at: '2026-11-26T11:25:00Z',
    next_send_at: null,
  },
}

function mountIt(staff = false) {
  return mount(GuestInvite, { props: { bookingId: 'b-1', staff }, global: { plugins: [i18n] } })
}

async function fillAndSend(wrapper: ReturnType<typeof mountIt>) {
  await wrapper.get('input[type="email"]').setValue('ivan@example.ru')
  await wrapper.get('input:not([type="email"])').setValue('Петров Иван')
  await wrapper.get('[data-test="guest-relation"]').setValue('interpreter')
  await wrapper.get('[data-test="guest-form"]').trigger('submit')
  await flushPromises()
}

describe('«Гость на консультации»', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('lets the registry invite the guest under a booking in its list, in its own words', async () => {
    const fetchMock = stubApi({
      [`GET ${PATH}`]: () => jsonResponse(200, { may_invite: true, guest: null }),
      [`POST ${PATH}`]: () => jsonResponse(201, invited),
    })
    const wrapper = mountIt(true)
    await flushPromises()
    expect(wrapper.get('h4').text()).toBe('Гость на консультации')
    expect(wrapper.classes()).not.toContain('card')
    expect(wrapper.get('[data-test="guest-form"]').text()).toContain('По просьбе пациента можно пригласить')
    await fillAndSend(wrapper)
    expect(sentBodies(fetchMock, `POST ${PATH}`)).toEqual([{ name: 'Петров Иван', email: 'ivan@example.ru', relation: 'interpreter' }])
    expect(wrapper.get('[data-test="guest-invited"]').text()).toContain('Приглашён гость: Петров Иван (переводчик), ivan@example.ru.')
  })

  it('shows the server’s refusal of a second guest and keeps the form', async () => {
    stubApi({
      [`GET ${PATH}`]: () => jsonResponse(200, { may_invite: true, guest: null }),
      [`POST ${PATH}`]: () =>
        apiError(409, 'guest_exists', 'На эту консультацию уже приглашён гость. Отзовите приглашение, чтобы пригласить другого.'),
    })
    const wrapper = mountIt()
    await flushPromises()
    expect(wrapper.get('h2').text()).toBe('Гость на консультации')
    expect(wrapper.get('[data-test="guest-form"]').text()).toContain('Вы можете пригласить')
    await fillAndSend(wrapper)
    expect(wrapper.get('[data-test="guest-problem"]').text()).toContain('уже приглашён гость')
    expect(wrapper.find('[data-test="guest-form"]').exists()).toBe(true)
  })
})
