import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ApiError, apiFetch } from './api'
import { useSessionErrors } from './forms'
import { leaveSite } from './navigation'

/** «Оплатить»: asks the server for the payment and sends the patient to YooKassa's page. */
export function usePayment() {
  const { t } = useI18n()
  const { handle } = useSessionErrors()
  const paying = ref(false)
  const error = ref<ApiError | null>(null)

  async function pay(bookingId: string): Promise<boolean> {
    if (paying.value) return false
    paying.value = true
    error.value = null
    try {
      const answer = await apiFetch<{ confirmation_url: string; payment_id?: string }>(
        `/bookings/${encodeURIComponent(bookingId)}/payment`,
        { method: 'POST' },
      )
      if (!answer || typeof answer.confirmation_url !== 'string' || answer.confirmation_url === '') {
        throw new ApiError(0, 'unexpected_response', t('errors.unexpectedResponse'))
      }
      // The page is being left: the button stays locked.
      leaveSite(answer.confirmation_url)
      return true
    } catch (failure) {
      paying.value = false
      if (await handle(failure)) return false
      error.value =
        failure instanceof ApiError ? failure : new ApiError(0, 'unexpected_response', t('errors.unexpectedResponse'))
      return false
    }
  }

  return { paying, error, pay }
}
