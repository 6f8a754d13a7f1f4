import { describe, expect, it } from 'vitest'
import { MediaFlow, STALL_MS } from '../src/room/stats'

describe('the other side’s media: coming or stalled', () => {
  it('is stalled once no new bytes came for STALL_MS after some had come, and not when they come again', () => {
    const flow = new MediaFlow()
    expect(flow.note(0, 0)).toBe(false)
    expect(flow.note(5000, 1000)).toBe(false)
    expect(flow.note(5000, 1000 + STALL_MS - 1)).toBe(false)
    expect(flow.note(5000, 1000 + STALL_MS)).toBe(true)
    expect(flow.note(6000, 1000 + STALL_MS + 500)).toBe(false)
  })

  it('never calls stalled a side that sent nothing (no camera, no microphone)', () => {
    const flow = new MediaFlow()
    expect(flow.note(0, 0)).toBe(false)
    expect(flow.note(0, 60000)).toBe(false)
  })

  it('starts over when the counters do (a new connection)', () => {
    const flow = new MediaFlow()
    flow.note(0, 0)
    flow.note(9000, 1000)
    expect(flow.note(100, 1000 + STALL_MS)).toBe(false)
    expect(flow.note(100, 1000 + 2 * STALL_MS)).toBe(false)
  })
})
