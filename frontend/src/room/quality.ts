/**
 * How much video the room sends: the seed asks for 128–640 kbit/s each way and
 * up to 1080p at 30 frames per second.
 */

export const MIN_BITRATE = 128000
export const MAX_BITRATE = 640000
export const MAX_FPS = 30
/** Opus speech at 32 kbit/s is clear; the rest of the channel is left to the picture. */
export const AUDIO_MAX_BITRATE = 32000

export interface VideoLimits {
  max_bitrate: number
  max_width: number
  max_height: number
  max_fps: number
}

export const DEFAULT_VIDEO: VideoLimits = { max_bitrate: MAX_BITRATE, max_width: 1920, max_height: 1080, max_fps: MAX_FPS }

export function clampBitrate(bits: number): number {
  if (!isFinite(bits)) return MAX_BITRATE
  return Math.min(MAX_BITRATE, Math.max(MIN_BITRATE, Math.round(bits)))
}

/**
 * The cap in force: the server's, lowered (never raised) by `?bitrate=` in the
 * room's address (tests and troubleshooting), both kept within 128–640 kbit/s.
 */
export function effectiveBitrate(serverCap: number | undefined, requested: unknown): number {
  const server = clampBitrate(typeof serverCap === 'number' ? serverCap : MAX_BITRATE)
  if (typeof requested !== 'string' || !/^\d+$/.test(requested)) return server
  return Math.min(server, clampBitrate(parseInt(requested, 10)))
}

/**
 * The picture height the encoder is given for a bitrate cap.
 *
 * For a consultation, smooth face and lip movement (and the sound) matter more
 * than sharpness: the doctor reads expressions and speech, and a detail (a rash,
 * a document) is shown by holding it closer to the camera. So the frame rate is
 * kept ("maintain-framerate") and the resolution is chosen for the cap up front:
 * each step keeps about 0.02–0.03 bits per pixel at 30 fps, where VP8/H.264
 * still give a clean face, so 128–200 kbit/s gets 640×360, up to 400 kbit/s 960×540, and above that
 * 1280×720. A 1080p frame squeezed into 200 kbit/s would starve the encoder:
 * blocky frames, then dropped ones, i.e. exactly the jerky picture we avoid.
 */
export function targetHeight(maxBitrate: number): number {
  if (maxBitrate <= 200000) return 360
  if (maxBitrate <= 400000) return 540
  return 720
}

/** The factor that brings the camera's height down to the target (never up). */
export function scaleDownBy(captureHeight: number, maxBitrate: number): number {
  if (!(captureHeight > 0)) return 1
  const factor = captureHeight / targetHeight(maxBitrate)
  return factor > 1 ? Math.round(factor * 1000) / 1000 : 1
}

/**
 * The degradation preferences to try, best first (browsers reject ones they do not know).
 *
 * Frame rate is kept ("maintain-framerate"): when the network or the processor
 * cannot keep up, the encoder lowers the resolution, never the smoothness. At
 * the lowest step (≤ 200 kbit/s) the picture is already at the 360-line floor
 * chosen above, and measured in Chromium at a 128 kbit/s cap, "maintain-framerate"
 * still dropped to 240 lines when the bandwidth estimate dipped and never came
 * back (WebRTC does not scale up below ~300 kbit/s). So there the resolution is
 * held too ("maintain-framerate-and-resolution", where the browser knows it):
 * 360 lines at 30 fps fit 128 kbit/s, since the scale was chosen for the cap.
 */
export function degradationPreferences(maxBitrate: number): string[] {
  return maxBitrate <= 200000 ? ['maintain-framerate-and-resolution', 'maintain-framerate'] : ['maintain-framerate']
}

export interface VideoEncoding {
  maxBitrate: number
  maxFramerate: number
  scaleResolutionDownBy: number
}

export function videoEncoding(maxBitrate: number, captureHeight: number): VideoEncoding {
  return {
    maxBitrate: clampBitrate(maxBitrate),
    maxFramerate: MAX_FPS,
    scaleResolutionDownBy: scaleDownBy(captureHeight, maxBitrate),
  }
}

/** What getUserMedia is asked for: the camera's best up to 1080p at 30 fps, and speech-tuned sound. */
export function mediaConstraints(video: VideoLimits, facingMode: 'user' | 'environment' = 'user'): MediaStreamConstraints {
  return {
    video: {
      width: { ideal: video.max_width },
      height: { ideal: video.max_height },
      frameRate: { ideal: video.max_fps, max: video.max_fps },
      facingMode,
    },
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  }
}

const NOT_A_PICTURE = /^(rtx|red|ulpfec|flexfec-03)$/i

/**
 * The remote description with our cap as the bandwidth estimate to start from.
 *
 * A browser's estimate starts near 300 kbit/s whatever the cap, and Chromium's
 * encoder, seeing so little, opens at a quarter of the chosen height and climbs
 * back a step every few seconds, each step a short dip: at a 640 kbit/s cap the
 * first ~20 s of a consultation were 180–480 lines. Starting the estimate at the
 * cap (Chromium's "x-google-start-bitrate" on our side's send codecs; other
 * browsers ignore it) opens one step below the chosen height (480 lines at a
 * 640 kbit/s cap, measured) and holds it at the cap from the first seconds; if
 * the network cannot carry it the estimate falls back within a second or two,
 * as it would anyway.
 */
export function withStartBitrate(sdp: string, maxBitrate: number): string {
  const kbps = Math.round(clampBitrate(maxBitrate) / 1000)
  const eol = sdp.indexOf('\r\n') >= 0 ? '\r\n' : '\n'
  const lines = sdp.split(eol)
  const out: string[] = []
  let video = false
  const pictures = new Set<string>()
  const withFmtp = new Set<string>()
  // First pass: which payload types of each video section carry a picture, and which already have fmtp.
  for (const line of lines) {
    if (line.startsWith('m=')) video = line.startsWith('m=video')
    if (!video) continue
    const rtpmap = /^a=rtpmap:(\d+) ([^/]+)\//.exec(line)
    if (rtpmap && !NOT_A_PICTURE.test(rtpmap[2])) pictures.add(rtpmap[1])
    const fmtp = /^a=fmtp:(\d+) /.exec(line)
    if (fmtp) withFmtp.add(fmtp[1])
  }
  video = false
  for (const line of lines) {
    if (line.startsWith('m=')) video = line.startsWith('m=video')
    const fmtp = video ? /^a=fmtp:(\d+) (.*)$/.exec(line) : null
    if (fmtp && pictures.has(fmtp[1]) && fmtp[2].indexOf('x-google-start-bitrate') < 0) {
      out.push(`${line};x-google-start-bitrate=${kbps}`)
      continue
    }
    out.push(line)
    const rtpmap = video ? /^a=rtpmap:(\d+) /.exec(line) : null
    if (rtpmap && pictures.has(rtpmap[1]) && !withFmtp.has(rtpmap[1])) {
      out.push(`a=fmtp:${rtpmap[1]} x-google-start-bitrate=${kbps}`)
    }
  }
  return out.join(eol)
}
