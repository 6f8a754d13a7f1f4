import { beforeEach, describe, expect, it, vi } from 'vitest'
import { isChunkLoadError, reloadAfterFailedChunk } from '../src/router'

function fakeLocation() {
  return { assign: vi.fn() } as unknown as Location & { assign: ReturnType<typeof vi.fn> }
}

describe('a page whose code is gone after a deploy', () => {
  beforeEach(() => window.sessionStorage.clear())

  it('knows the browsers’ words and our loader’s for a chunk that could not be fetched', () => {
    expect(isChunkLoadError(new TypeError('Failed to fetch dynamically imported module: /assets/A.js'))).toBe(true)
    expect(isChunkLoadError(new TypeError('error loading dynamically imported module'))).toBe(true)
    expect(isChunkLoadError(new TypeError('Importing a module script failed.'))).toBe(true)
    expect(isChunkLoadError(new Error('Network request failed'))).toBe(false)
  })

  it('reloads the address once, and not again when that fails too', () => {
    const location = fakeLocation()
    const gone = new Error('Failed to fetch dynamically imported module: /assets/RoomView-old.js')

    expect(reloadAfterFailedChunk(gone, '/room/r-1', location)).toBe(true)
    expect(location.assign).toHaveBeenCalledWith('/room/r-1')
    // After the reload the same page fails again: no loop.
    expect(reloadAfterFailedChunk(gone, '/room/r-1', location)).toBe(false)
    expect(location.assign).toHaveBeenCalledTimes(1)
  })

  it('leaves other errors to the router', () => {
    const location = fakeLocation()
    expect(reloadAfterFailedChunk(new Error('boom'), '/bookings', location)).toBe(false)
    expect(location.assign).not.toHaveBeenCalled()
  })
})
