import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import SessionTimeout from '../src/components/SessionTimeout.vue'
import { i18n } from '../src/i18n'
import { createAppRouter } from '../src/router'
import { createMemoryHistory } from 'vue-router'
import { setUser } from '../src/session'
import { lastSeen, noteLimits, sessionEnd } from '../src/sessionLimits'
import { doctorPatient, stubApi } from './helpers'

// 2026-12-03 09:00 UTC = 12:00 in Moscow.
const START = Date.parse('2026-12-03T09:00:00Z')
const MINUTE = 60 * 1000
const limitsAnswer = { idle_seconds: 1800, touch_seconds: 60, ends_at: '2026-12-03T21:00:00Z' }

async function mountWarning() {
  const router = createAppRouter(createMemoryHistory())
  await router.push('/')
  return mount(SessionTimeout, { global: { plugins: [i18n, router] } })
}

describe('the session end', () => {
  it('is the idle end, counted from a minute before the last answer that saw the session, or the hard end', () => {
    const limits = { idleSeconds: 1800, touchSeconds: 60, endsAt: START + 12 * 60 * MINUTE }
    expect(sessionEnd(limits, START)).toEqual({ at: START + 29 * MINUTE, reason: 'idle' })
    expect(sessionEnd(limits, START + 11 * 60 * MINUTE + 50 * MINUTE)).toEqual({
      at: START + 12 * 60 * MINUTE,
      reason: 'limit',
    })
  })
})

describe('SessionTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    vi.setSystemTime(START)
    setUser(doctorPatient)
    noteLimits(limitsAnswer, START)
  })
  afterEach(() => {
    vi.useRealTimers()
    setUser(null)
    noteLimits(null)
  })

  it('says nothing while the end is far, warns three minutes before in a polite live region, and continues', async () => {
    const fetchMock = stubApi({
      'GET /api/session': () =>
        new Response(JSON.stringify({ user: doctorPatient, limits: limitsAnswer }), {
          status: 200,
          headers: { 'Content-Type': 'application/json', 'X-Session-Seen': '1' },
        }),
    })
    const wrapper = await mountWarning()
    const region = wrapper.get('[data-test="session-timeout"]')
    // A live region without role=status: the page's own status messages stay the one status there.
    expect(region.attributes('role')).toBeUndefined()
    expect(region.attributes('aria-live')).toBe('polite')

    vi.advanceTimersByTime(25 * MINUTE)
    await flushPromises()
    expect(region.text()).toBe('')

    vi.advanceTimersByTime(1.5 * MINUTE)
    await flushPromises()
    // The idle end: 09:29 UTC, said in Moscow time.
    expect(region.text()).toContain('в 12:29 сеанс завершится')
    const said = region.text()
    vi.advanceTimersByTime(30 * 1000)
    await flushPromises()
    expect(region.text()).toBe(said) // no ticking: a screen reader hears it once

    await wrapper.get('[data-test="session-keep"]').trigger('click')
    await flushPromises()
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(lastSeen.value).toBe(START + 27 * MINUTE)
    expect(region.text()).toBe('')
  })

  it('says the session has ended and offers to sign in again', async () => {
    stubApi({})
    const wrapper = await mountWarning()
    vi.advanceTimersByTime(30 * MINUTE)
    await flushPromises()
    const region = wrapper.get('[data-test="session-timeout"]')
    expect(region.text()).toContain('Сеанс завершён')
    expect(region.find('a').text()).toBe('Войти снова')
  })

  it('warns of the 12-hour end without offering to continue past it', async () => {
    noteLimits({ ...limitsAnswer, ends_at: '2026-12-03T09:20:00Z' }, START + 15 * MINUTE)
    stubApi({})
    const wrapper = await mountWarning()
    vi.advanceTimersByTime(18 * MINUTE)
    await flushPromises()
    const region = wrapper.get('[data-test="session-timeout"]')
    expect(region.text()).toContain('В 12:20 сеанс завершится')
    expect(region.find('[data-test="session-keep"]').exists()).toBe(false)
  })
})
