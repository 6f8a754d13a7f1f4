import { ref, watch, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { errorMessage, useSessionErrors } from './forms'
import type { Role } from './roles'
import { activeRole } from './session'

/**
 * What a page or a part of one loads from the API: `loading` while a request
 * is under way, `error` (the server's words, or ours) when it failed. Only the
 * latest request counts: the answer or the failure of one that a newer `load`
 * has overtaken (another day, another tab, a retry) is dropped, so an old
 * answer never overwrites a newer one. A failure that means the session ended
 * (or the temporary password must go first) sends the person where they can
 * fix that instead of showing an error.
 *
 * `error`: a message shared with another loader of the same page (each clears
 * it when it starts), where the page shows one message for both.
 */
export function useLoader(shared: { error?: Ref<string> } = {}) {
  const { t } = useI18n()
  const { handle } = useSessionErrors()
  const loading = ref(false)
  const error = shared.error || ref('')
  let latest = 0

  /**
   * Runs `request`; its answer goes to `use` if no newer load has started
   * meanwhile. `failed`: what else a shown failure changes. Resolves to whether
   * this request's answer was used.
   */
  async function load<T>(request: () => Promise<T>, use: (answer: T) => void, failed?: () => void): Promise<boolean> {
    const number = ++latest
    loading.value = true
    error.value = ''
    try {
      const answer = await request()
      if (number !== latest) return false
      use(answer)
      return true
    } catch (failure) {
      if (number !== latest) return false
      if (!(await handle(failure))) {
        if (failed) failed()
        error.value = errorMessage(failure, t('errors.unexpectedResponse'))
      }
      return false
    } finally {
      if (number === latest) loading.value = false
    }
  }

  /** Drops the request under way (its answer or failure will not be used) and what the last one failed with. */
  function cancel(): void {
    latest += 1
    loading.value = false
    error.value = ''
  }

  return { loading, error, load, cancel }
}

/** Loads once the person acts as `role` (at once if they already do), unless it is loaded or loading already. */
export function loadOnceAs(role: Role, loaded: Ref<boolean>, loading: Ref<boolean>, load: () => Promise<unknown>): void {
  watch(
    activeRole,
    (active) => {
      if (active === role && !loaded.value && !loading.value) void load()
    },
    { immediate: true },
  )
}
