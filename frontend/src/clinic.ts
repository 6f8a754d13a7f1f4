import { ref, type Ref } from 'vue'
import { apiFetch } from './api'
import type { components } from './api-types'

const documentsAddress = ref<string | null>(null)
let asked: Promise<void> | null = null

/**
 * The clinic's documents address as the server has it (GET /api/clinic: the one setting DOCUMENTS_ADDRESS that
 * the emails, the mail intake and the infrastructure use), so the site never names another address. Asked once
 * per page load; null until the server answers (and after a failure, asked again by the next page that needs it).
 */
export function useDocumentsAddress(): Ref<string | null> {
  if (!asked) {
    asked = apiFetch<components['schemas']['Clinic']>('/clinic').then(
      (answer) => {
        documentsAddress.value = answer.documents_address
      },
      () => {
        asked = null
      },
    )
  }
  return documentsAddress
}
