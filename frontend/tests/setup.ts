import { enableAutoUnmount } from '@vue/test-utils'
import { afterEach, beforeEach, expect, vi } from 'vitest'
import { overrideBrowserTimeZone } from '../src/dates'
import { i18n, loadLocale, loadMessages, setLocale } from '../src/i18n'
import { forgetSession } from '../src/session'

enableAutoUnmount(afterEach)

// The clinic's address comes from the server (src/clinic.ts, GET /api/clinic); the views' tests see it at once,
// without a request of their own to stub. tests/clinic.spec.ts tests the real one.
vi.mock('../src/clinic', async () => {
  const { ref } = await import('vue')
  return { useDocumentsAddress: () => ref('telemed@med122.com') }
})

// English and most Russian words are fetched when needed (src/i18n.ts); here they are all at hand, so that
// a view mounted alone has its words and setLocale('en') switches at once.
await Promise.all([loadLocale('en'), loadMessages()])

// vue-i18n only warns about a key that is not in the locale files; here it fails the test.
const missingKeys: string[] = []
i18n.global.setMissingHandler((locale, key) => {
  missingKeys.push(`${locale}: ${key}`)
})

beforeEach(() => {
  // jsdom has no scrolling; the router scrolls to the top after each navigation.
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined)
  setLocale('ru')
  // The machine's own zone must not change what the tests see; a test sets another one when it means to.
  overrideBrowserTimeZone('Europe/Moscow')
  forgetSession()
  window.localStorage.clear()
})

afterEach(() => {
  expect(missingKeys.splice(0), 'locale keys used but not defined').toEqual([])
  document.body.innerHTML = ''
})
