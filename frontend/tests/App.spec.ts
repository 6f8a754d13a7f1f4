import { describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { setLocale } from '../src/i18n'
import { jsonResponse, mountWithRouter } from './helpers'

function signedOut() {
  vi.stubGlobal(
    'fetch',
    vi.fn().mockResolvedValue(jsonResponse(401, { error: { code: 'unauthorized', message: 'Войдите.' } })),
  )
}

describe('App', () => {
  it('explains the service on the home page', async () => {
    signedOut()
    const { wrapper } = await mountWithRouter(App, '/')
    const text = wrapper.find('main').text()

    expect(wrapper.find('h1').text()).toBe('Консультация врача по видеосвязи')
    expect(text).toContain('Санкт-Петербург, пр. Луначарского, 49')
    expect(text).toContain('банковскую карту для оплаты услуги онлайн')
    expect(text).toContain('«Воспользоваться сервисом»')
    expect(wrapper.findAll('.steps__item')).toHaveLength(6)
    expect(wrapper.find('main').find('a[href="mailto:telemed@med122.com"]').text()).toBe('telemed@med122.com')
    expect(text).toContain('до 1080p@30fps')
    expect(text).toContain('от 128 до 640 кбит/с исходящего канала')
    expect(text).toContain('Safari 12.4.6+')
    expect(text).toContain('Opera for Android 50+')
    expect(wrapper.findAll('th[scope="row"]').map((th) => th.text())).toEqual([
      'Видеосвязь',
      'Качество связи',
      'Сеть',
      'Браузеры',
    ])
  })

  it('asks the server who is signed in', async () => {
    signedOut()
    await mountWithRouter(App, '/')
    expect(fetch).toHaveBeenCalledWith('/api/session', expect.objectContaining({ credentials: 'same-origin' }))
  })

  it('shows a 404 page for an unknown address', async () => {
    signedOut()
    const { wrapper } = await mountWithRouter(App, '/no/such/page')
    expect(wrapper.find('h1').text()).toBe('Страница не найдена')
    expect(wrapper.find('main').find('a[href="/"]').exists()).toBe(true)
  })

  it('shows a placeholder on /login', async () => {
    signedOut()
    const { wrapper } = await mountWithRouter(App, '/login')
    expect(wrapper.find('h1').text()).toBe('Вход в личный кабинет')
  })

  it('moves focus to the page after navigating', async () => {
    signedOut()
    const { wrapper, router } = await mountWithRouter(App, '/')

    await router.push('/booking')
    await wrapper.vm.$nextTick()

    expect(document.activeElement).toBe(wrapper.find('main').element)
    expect(wrapper.find('h1').text()).toBe('Запись к врачу')
  })

  it('keeps <html lang> and the title in step with the language', async () => {
    signedOut()
    const { wrapper } = await mountWithRouter(App, '/booking')
    expect(document.documentElement.lang).toBe('ru')
    expect(document.title).toBe('Запись к врачу — Центр телемедицины ФГБУ СЗОНКЦ им. Л.Г. Соколова')

    setLocale('en')
    await wrapper.vm.$nextTick()

    expect(document.documentElement.lang).toBe('en')
    expect(document.title).toBe('Book a doctor — Telemedicine Centre of the Sokolov North-Western Clinical Centre')
  })
})
