import { nextTick, ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRoute, useRouter } from 'vue-router'
import { ApiError } from './api'
import { loadSession, setUser } from './session'

/** A path inside this site to return to after signing in, or null for anything else. */
export function safeNext(value: unknown): string | null {
  if (typeof value !== 'string' || value.charAt(0) !== '/') return null
  // "//host" and "/\host" would leave the site.
  if (value.charAt(1) === '/' || value.charAt(1) === '\\') return null
  return value
}

/**
 * State of one form talking to the API: sending flag, messages next to fields
 * (from `error.fields`) and a general message for everything else.
 *
 * `fieldNames` are the fields the form shows; a field message for any other
 * name is added to the general message so that nothing is lost.
 */
export function useApiForm(fieldNames: readonly string[], form?: Ref<HTMLElement | null>) {
  const { t } = useI18n()
  const sessionErrors = useSessionErrors()
  const sending = ref(false)
  const fieldErrors = ref<Record<string, string>>({})
  const formError = ref('')
  const lastError = ref<ApiError | null>(null)

  function clear(): void {
    fieldErrors.value = {}
    formError.value = ''
    lastError.value = null
  }

  async function focusFirstProblem(): Promise<void> {
    await nextTick()
    const root = form ? form.value : null
    if (!root) return
    const target = root.querySelector<HTMLElement>('[aria-invalid="true"]') || root.querySelector<HTMLElement>('[role="alert"]')
    if (target) target.focus()
  }

  /** Shows client-side checks (e.g. the repeated password) the same way as the server's. */
  function showFieldErrors(errors: Record<string, string>): void {
    fieldErrors.value = errors
    formError.value = ''
    void focusFirstProblem()
  }

  function show(error: unknown): void {
    if (!(error instanceof ApiError)) {
      formError.value = t('errors.unexpectedResponse')
      return
    }
    lastError.value = error
    const shown: Record<string, string> = {}
    const extra: string[] = []
    Object.keys(error.fields).forEach((name) => {
      if (fieldNames.indexOf(name) !== -1) shown[name] = error.fields[name]
      else extra.push(error.fields[name])
    })
    fieldErrors.value = shown
    formError.value = [error.message].concat(extra).join(' ')
  }

  /**
   * Runs one request with the form locked. `handle` may take over an error
   * (return true), e.g. to put it next to a field. Returns whether it succeeded.
   */
  async function run(action: () => Promise<void>, handle?: (error: ApiError) => boolean): Promise<boolean> {
    if (sending.value) return false
    clear()
    sending.value = true
    try {
      await action()
      return true
    } catch (error) {
      // The session ended (signed out elsewhere, expired) or the temporary password must go first.
      if (await sessionErrors.handle(error)) return false
      if (error instanceof ApiError && handle && handle(error)) {
        lastError.value = error
      } else {
        show(error)
      }
      void focusFirstProblem()
      return false
    } finally {
      sending.value = false
    }
  }

  return { sending, fieldErrors, formError, lastError, clear, run, showFieldErrors }
}

/**
 * For pages that call the API outside a form: a request that failed because the
 * session ended or the temporary password must be replaced sends the person
 * where they can fix that. `handle` says whether it took the error over.
 */
export function useSessionErrors() {
  const router = useRouter()
  const route = useRoute()

  async function handle(error: unknown): Promise<boolean> {
    if (!(error instanceof ApiError)) return false
    if (error.code === 'not_signed_in') {
      setUser(null)
      await router.push({ name: 'login', query: { next: route.fullPath } })
      return true
    }
    if (error.code === 'password_change_required') {
      await loadSession().catch(() => undefined)
      await router.push({ name: 'change-password' })
      return true
    }
    return false
  }

  return { handle }
}

/** The message to show for any failure: the server's own words, or ours for the rest. */
export function errorMessage(error: unknown, fallback: string): string {
  return error instanceof ApiError ? error.message : fallback
}
