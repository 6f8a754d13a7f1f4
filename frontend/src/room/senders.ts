import { AUDIO_MAX_BITRATE, degradationPreferences, videoEncoding } from './quality'

/**
 * What this side sends on the peer connection: its camera and microphone on
 * the connection's transceivers, and the limits of their encoders (the video
 * cap and the picture size chosen for it; see quality.ts).
 */

function supportsTransceivers(): boolean {
  return typeof RTCPeerConnection !== 'undefined' && typeof RTCPeerConnection.prototype.addTransceiver === 'function'
}

/** The doctor's new connection: a transceiver for each kind, sending what there is and receiving either way. */
export function addLocalTracks(pc: RTCPeerConnection, stream: MediaStream | null): void {
  if (supportsTransceivers()) {
    for (const kind of ['audio', 'video']) {
      const track = stream ? stream.getTracks().filter((t) => t.kind === kind)[0] : undefined
      if (track && stream) pc.addTransceiver(track, { direction: 'sendrecv', streams: [stream] })
      else pc.addTransceiver(kind, { direction: 'recvonly' })
    }
  } else if (stream) {
    stream.getTracks().forEach((track) => pc.addTrack(track, stream))
  }
}

/** The patient puts its camera and microphone on the transceivers the doctor's offer made. */
export async function attachToOffer(pc: RTCPeerConnection, stream: MediaStream | null): Promise<void> {
  if (!stream) return
  if (supportsTransceivers() && typeof pc.getTransceivers === 'function') {
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.sender.track || transceiver.currentDirection === 'stopped') continue
      const kind = transceiver.receiver.track.kind
      const track = stream.getTracks().filter((t) => t.kind === kind)[0]
      if (!track) continue
      await transceiver.sender.replaceTrack(track)
      transceiver.direction = 'sendrecv'
    }
  } else if (pc.getSenders().length === 0) {
    stream.getTracks().forEach((track) => pc.addTrack(track, stream))
  }
}

/** Caps the video (and the sound) the encoder may send; `cap.bitrate` is read as it is at each step. */
export async function applyLimits(pc: RTCPeerConnection, cap: { readonly bitrate: number }): Promise<void> {
  for (const sender of pc.getSenders()) {
    const track = sender.track
    if (!track || typeof sender.getParameters !== 'function' || typeof sender.setParameters !== 'function') continue
    if (track.kind !== 'video') {
      await setEncoding(sender, { maxBitrate: AUDIO_MAX_BITRATE }, null)
      continue
    }
    const settings = typeof track.getSettings === 'function' ? track.getSettings() : {}
    const wanted = videoEncoding(cap.bitrate, settings.height || 0)
    // The best the browser takes: each preference in turn, then no preference, then the bitrate cap alone.
    let done = false
    for (const preference of degradationPreferences(cap.bitrate).concat([''])) {
      if (await setEncoding(sender, wanted, preference || null)) {
        done = true
        break
      }
    }
    if (!done) await setEncoding(sender, { maxBitrate: wanted.maxBitrate }, null)
  }
}

/** The camera was switched: every video sender takes the new track. */
export async function replaceVideoTrack(pc: RTCPeerConnection, track: MediaStreamTrack): Promise<void> {
  for (const sender of pc.getSenders()) {
    const kind = sender.track ? sender.track.kind : senderKind(pc, sender)
    if (kind === 'video') await sender.replaceTrack(track)
  }
}

/** Sets the first encoding's limits (and the degradation preference); false if the browser refused. */
async function setEncoding(
  sender: RTCRtpSender,
  limits: { maxBitrate: number; maxFramerate?: number; scaleResolutionDownBy?: number },
  preference: string | null,
): Promise<boolean> {
  try {
    const params = sender.getParameters()
    if (!params.encodings || params.encodings.length === 0) params.encodings = [{}]
    const encoding = params.encodings[0] as RTCRtpEncodingParameters & { maxFramerate?: number }
    encoding.maxBitrate = limits.maxBitrate
    if (limits.maxFramerate !== undefined) encoding.maxFramerate = limits.maxFramerate
    if (limits.scaleResolutionDownBy !== undefined) encoding.scaleResolutionDownBy = limits.scaleResolutionDownBy
    // The DOM typings know fewer preferences than browsers do ("maintain-framerate-and-resolution").
    if (preference) (params as { degradationPreference?: string }).degradationPreference = preference
    await sender.setParameters(params)
    return true
  } catch {
    return false
  }
}

function senderKind(pc: RTCPeerConnection, sender: RTCRtpSender): string {
  if (typeof pc.getTransceivers !== 'function') return ''
  for (const transceiver of pc.getTransceivers()) {
    if (transceiver.sender === sender) return transceiver.receiver.track.kind
  }
  return ''
}
