import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { jsonResponse, stubApi } from './helpers'

vi.unmock('../src/clinic')

describe('the clinic’s documents address', () => {
  it('is the server’s one setting, asked once for the whole page', async () => {
    const { useDocumentsAddress } = await import('../src/clinic')
    const fetchMock = stubApi({ 'GET /api/clinic': () => jsonResponse(200, { documents_address: 'telemed@clinic.example' }) })
    const footer = useDocumentsAddress()
    const home = useDocumentsAddress()
    expect(footer.value).toBeNull()
    await flushPromises()
    expect(footer.value).toBe('telemed@clinic.example')
    expect(home.value).toBe('telemed@clinic.example')
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })
})
