import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, ref, type Ref } from 'vue'
import { ApiError } from '../src/api'
import { useLoader } from '../src/loader'
import { setUser } from '../src/session'
import { doctorPatient, mountWithRouter } from './helpers'

/** A request the test answers or fails when it wants. */
function pending<T>() {
  let answer: (value: T) => void = () => undefined
  let fail: (error: unknown) => void = () => undefined
  const promise = new Promise<T>((resolve, reject) => {
    answer = resolve
    fail = reject
  })
  return { promise, answer, fail }
}

async function mountLoader(shared: { error?: Ref<string> } = {}) {
  let loader!: ReturnType<typeof useLoader>
  const Probe = defineComponent({
    setup() {
      loader = useLoader(shared)
      return () => h('p', loader.error.value)
    },
  })
  const { wrapper, router } = await mountWithRouter(Probe, '/verify')
  return { loader, wrapper, router }
}

describe('useLoader: only the latest request counts', () => {
  it('drops the answer of a request a newer one has overtaken, and stays loading until the newer one ends', async () => {
    const { loader } = await mountLoader()
    const shown: string[] = []
    const older = pending<string>()
    const newer = pending<string>()
    const first = loader.load(() => older.promise, (value) => shown.push(value))
    const second = loader.load(() => newer.promise, (value) => shown.push(value))
    older.answer('old day')
    expect(await first).toBe(false)
    expect(loader.loading.value).toBe(true)
    newer.answer('new day')
    expect(await second).toBe(true)
    expect(shown).toEqual(['new day'])
    expect(loader.loading.value).toBe(false)
  })

  it('drops the failure of an overtaken request too; its own failure shows the server’s words', async () => {
    const { loader, wrapper } = await mountLoader()
    const older = pending<string>()
    const newer = pending<string>()
    const failed: string[] = []
    const first = loader.load(() => older.promise, () => undefined, () => failed.push('first'))
    const second = loader.load(() => newer.promise, () => undefined, () => failed.push('second'))
    older.fail(new ApiError(500, 'internal', 'Старая ошибка.'))
    await first
    expect(loader.error.value).toBe('')
    newer.fail(new ApiError(503, 'unavailable', 'Сервис недоступен.'))
    await second
    expect(loader.error.value).toBe('Сервис недоступен.')
    expect(failed).toEqual(['second'])
    await flushPromises()
    expect(wrapper.text()).toBe('Сервис недоступен.')
    // Not the server's: our words. A new load clears the old message at once.
    const third = loader.load(() => Promise.reject(new TypeError('Failed to fetch')), () => undefined)
    expect(loader.error.value).toBe('')
    await third
    expect(loader.error.value).toBe('Сервер ответил неожиданно. Пожалуйста, повторите попытку немного позже.')
  })

  it('an ended session goes to the sign-in page instead of an error', async () => {
    setUser({ ...doctorPatient })
    const { loader, router } = await mountLoader()
    const failed: string[] = []
    await loader.load(
      () => Promise.reject(new ApiError(401, 'not_signed_in', 'Войдите.')),
      () => undefined,
      () => failed.push('shown'),
    )
    await flushPromises()
    expect(loader.error.value).toBe('')
    expect(failed).toEqual([])
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.next).toBe('/verify')
  })

  it('cancel drops the request under way and the last failure', async () => {
    const { loader } = await mountLoader()
    const request = pending<string>()
    const shown: string[] = []
    const running = loader.load(() => request.promise, (value) => shown.push(value))
    loader.cancel()
    expect(loader.loading.value).toBe(false)
    request.answer('too late')
    expect(await running).toBe(false)
    expect(shown).toEqual([])
  })

  it('two loaders can share one message: each clears it when it starts', async () => {
    const error = ref('')
    const { loader: doctors } = await mountLoader({ error })
    const { loader: schedule } = await mountLoader({ error })
    await doctors.load(() => Promise.reject(new ApiError(500, 'internal', 'Список не загрузился.')), () => undefined)
    expect(error.value).toBe('Список не загрузился.')
    const loading = schedule.load(() => Promise.resolve(1), () => undefined)
    expect(error.value).toBe('')
    await loading
  })
})
