/** The call's numbers from RTCPeerConnection.getStats(), for the overlay and for tests. */

export interface CallStats {
  /** Epoch milliseconds of the report. */
  at: number
  framesDecoded: number
  framesSent: number
  inWidth: number
  inHeight: number
  inFps: number
  outWidth: number
  outHeight: number
  outFps: number
  /** Bits per second over the time since the previous report (0 for the first one). */
  bitrateIn: number
  bitrateOut: number
  videoBytesSent: number
  videoBytesReceived: number
  /** Round-trip time of the selected candidate pair, in seconds (null when unknown). */
  rtt: number | null
  /** Lost share of incoming video packets since the call began, in percent. */
  packetLoss: number
  localCandidateType: string
  remoteCandidateType: string
  /** Why the sent picture is smaller or slower than asked: 'none', 'bandwidth', 'cpu' or 'other' ('' if unknown). */
  qualityLimitation: string
}

type Entry = Record<string, unknown>

function num(value: unknown): number {
  return typeof value === 'number' && isFinite(value) ? value : 0
}

function isVideo(entry: Entry): boolean {
  // Chrome before 74 said `mediaType` instead of `kind`.
  return entry.kind === 'video' || entry.mediaType === 'video'
}

/** Summarizes one report; `previous` (the last summary) turns byte counters into bitrates. */
export function summarize(report: RTCStatsReport, previous: CallStats | null = null, now: number = Date.now()): CallStats {
  const entries: Entry[] = []
  const byId: Record<string, Entry> = {}
  report.forEach((value: unknown) => {
    const entry = value as Entry
    entries.push(entry)
    if (typeof entry.id === 'string') byId[entry.id] = entry
  })
  const stats: CallStats = {
    at: now,
    framesDecoded: 0,
    framesSent: 0,
    inWidth: 0,
    inHeight: 0,
    inFps: 0,
    outWidth: 0,
    outHeight: 0,
    outFps: 0,
    bitrateIn: 0,
    bitrateOut: 0,
    videoBytesSent: 0,
    videoBytesReceived: 0,
    rtt: null,
    packetLoss: 0,
    localCandidateType: '',
    remoteCandidateType: '',
    qualityLimitation: '',
  }
  let packetsReceived = 0
  let packetsLost = 0
  let pair: Entry | null = null
  for (const entry of entries) {
    if (entry.type === 'inbound-rtp' && isVideo(entry) && !entry.isRemote) {
      stats.framesDecoded += num(entry.framesDecoded)
      stats.videoBytesReceived += num(entry.bytesReceived)
      stats.inWidth = Math.max(stats.inWidth, num(entry.frameWidth))
      stats.inHeight = Math.max(stats.inHeight, num(entry.frameHeight))
      stats.inFps = Math.max(stats.inFps, num(entry.framesPerSecond))
      packetsReceived += num(entry.packetsReceived)
      packetsLost += Math.max(0, num(entry.packetsLost))
    } else if (entry.type === 'outbound-rtp' && isVideo(entry) && !entry.isRemote) {
      stats.framesSent += num(entry.framesSent) || num(entry.framesEncoded)
      stats.videoBytesSent += num(entry.bytesSent)
      stats.outWidth = Math.max(stats.outWidth, num(entry.frameWidth))
      stats.outHeight = Math.max(stats.outHeight, num(entry.frameHeight))
      stats.outFps = Math.max(stats.outFps, num(entry.framesPerSecond))
      if (typeof entry.qualityLimitationReason === 'string') stats.qualityLimitation = entry.qualityLimitationReason
    } else if (entry.type === 'transport' && typeof entry.selectedCandidatePairId === 'string') {
      pair = byId[entry.selectedCandidatePairId] || pair
    }
  }
  if (!pair) {
    // Firefox marks the pair itself; older Chrome only says it is nominated and working.
    for (const entry of entries) {
      if (entry.type !== 'candidate-pair') continue
      if (entry.selected === true || (entry.nominated === true && entry.state === 'succeeded')) {
        pair = entry
        break
      }
    }
  }
  if (pair) {
    stats.rtt = typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime : null
    const local = byId[String(pair.localCandidateId)]
    const remote = byId[String(pair.remoteCandidateId)]
    stats.localCandidateType = local ? String(local.candidateType || '') : ''
    stats.remoteCandidateType = remote ? String(remote.candidateType || '') : ''
  }
  const packets = packetsReceived + packetsLost
  stats.packetLoss = packets > 0 ? (packetsLost * 100) / packets : 0
  if (previous && now > previous.at) {
    const seconds = (now - previous.at) / 1000
    stats.bitrateIn = Math.max(0, ((stats.videoBytesReceived - previous.videoBytesReceived) * 8) / seconds)
    stats.bitrateOut = Math.max(0, ((stats.videoBytesSent - previous.videoBytesSent) * 8) / seconds)
  }
  return stats
}

/** Bytes of media (audio and video) received so far, over every incoming stream of the report. */
export function inboundBytes(report: RTCStatsReport): number {
  let total = 0
  report.forEach((value: unknown) => {
    const entry = value as Entry
    if (entry.type === 'inbound-rtp' && !entry.isRemote) total += num(entry.bytesReceived)
  })
  return total
}

/** No media from the other side for this long (after some had come): it is treated as gone. */
export const STALL_MS = 2000

/**
 * Whether the other side's media has stopped coming on one connection. A
 * muted microphone and a camera turned off still send (silence, black frames),
 * so only a side that has gone or lost its network stops the bytes; a side
 * that never sent anything (no camera, no microphone) is never called stalled.
 */
export class MediaFlow {
  private bytes = -1
  private changedAt = 0
  private flowing = false

  /** Takes the byte count at `now`; answers whether the media has stalled. */
  note(bytes: number, now: number): boolean {
    if (bytes < this.bytes) this.reset()
    if (bytes > this.bytes) {
      if (this.bytes >= 0) this.flowing = true
      this.bytes = bytes
      this.changedAt = now
    }
    return this.flowing && now - this.changedAt >= STALL_MS
  }

  reset(): void {
    this.bytes = -1
    this.changedAt = 0
    this.flowing = false
  }
}
