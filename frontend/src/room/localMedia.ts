import { DEFAULT_VIDEO, mediaConstraints, type VideoLimits } from './quality'
import type { RoomState } from './roomState'

/**
 * This side's camera and microphone: asked for once and shared by the device
 * check and the call, muted and switched by the person. It writes `localStream`,
 * `media`, `mediaError`, the toggles, `facing` and `cameraCount` of the room's state.
 */
export class LocalMedia {
  private pending: Promise<MediaStream | null> | null = null

  /** `alive`: false once the room is left for good (a stream that comes after that is stopped at once). */
  constructor(
    private readonly state: RoomState,
    private readonly alive: () => boolean,
  ) {}

  get videoLimits(): VideoLimits {
    return (this.state.info && this.state.info.video) || DEFAULT_VIDEO
  }

  /** The camera and microphone, asked for once and shared by the device check and the call. */
  acquire(): Promise<MediaStream | null> {
    const current = this.state.localStream
    if (current && current.getTracks().some((track) => track.readyState === 'live')) return Promise.resolve(current)
    if (this.pending) return this.pending
    const devices = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined
    if (!devices || typeof devices.getUserMedia !== 'function') {
      this.state.media = 'failed'
      this.state.mediaError = 'NotSupportedError'
      return Promise.resolve(null)
    }
    this.state.media = 'asking'
    const request = this.getMedia(devices)
      .then((stream) => {
        if (!this.alive()) {
          stream.getTracks().forEach((track) => track.stop())
          return null
        }
        this.state.localStream = stream
        this.state.media = 'ready'
        this.state.mediaError = ''
        this.applyToggles(stream)
        void this.countCameras()
        return stream
      })
      .catch((error: unknown) => {
        this.state.media = 'failed'
        this.state.mediaError = error && typeof error === 'object' && 'name' in error ? String((error as Error).name) : 'Error'
        return null
      })
      .then((stream) => {
        this.pending = null
        return stream
      })
    this.pending = request
    return request
  }

  /** Camera and microphone together; if that fails, whichever one works (a call with sound only is still a call). */
  private async getMedia(devices: MediaDevices): Promise<MediaStream> {
    const constraints = mediaConstraints(this.videoLimits, this.state.facing)
    try {
      return await devices.getUserMedia(constraints)
    } catch (error) {
      const name = error && typeof error === 'object' ? (error as Error).name : ''
      // Refused by the person: asking again for half of it would only bring the same refusal.
      if (name === 'NotAllowedError' || name === 'SecurityError') throw error
      try {
        return await devices.getUserMedia({ audio: constraints.audio })
      } catch {
        try {
          return await devices.getUserMedia({ video: constraints.video })
        } catch {
          throw error
        }
      }
    }
  }

  private async countCameras(): Promise<void> {
    const devices = navigator.mediaDevices
    if (!devices || typeof devices.enumerateDevices !== 'function') return
    try {
      const list = await devices.enumerateDevices()
      this.state.cameraCount = list.filter((device) => device.kind === 'videoinput').length
    } catch {
      this.state.cameraCount = 0
    }
  }

  stop(): void {
    const stream = this.state.localStream
    if (stream) stream.getTracks().forEach((track) => track.stop())
    this.state.localStream = null
    this.state.media = 'idle'
  }

  private applyToggles(stream: MediaStream): void {
    stream.getAudioTracks().forEach((track) => {
      track.enabled = !this.state.micMuted
    })
    stream.getVideoTracks().forEach((track) => {
      track.enabled = !this.state.cameraOff
    })
  }

  toggleMic(): void {
    this.state.micMuted = !this.state.micMuted
    if (this.state.localStream) this.applyToggles(this.state.localStream)
  }

  toggleCamera(): void {
    this.state.cameraOff = !this.state.cameraOff
    if (this.state.localStream) this.applyToggles(this.state.localStream)
  }

  /**
   * The front or the back camera (phones); the old one is stopped first, as some phones cannot open both.
   * Returns the new video track for the call to send, or null if there is none.
   */
  async switchCamera(): Promise<MediaStreamTrack | null> {
    const stream = this.state.localStream
    const devices = navigator.mediaDevices
    if (!stream || !devices) return null
    const next: 'user' | 'environment' = this.state.facing === 'user' ? 'environment' : 'user'
    const old = stream.getVideoTracks()[0]
    const oldDevice = old && old.getSettings ? old.getSettings().deviceId : undefined
    if (old) old.stop()
    const video = mediaConstraints(this.videoLimits, next).video as MediaTrackConstraints
    let fresh: MediaStream | null = null
    try {
      fresh = await devices.getUserMedia({ video: { ...video, facingMode: { exact: next } } })
    } catch {
      // Not a phone: take the next camera in the list instead.
      try {
        const cameras = (await devices.enumerateDevices()).filter((device) => device.kind === 'videoinput')
        const index = cameras.findIndex((device) => device.deviceId === oldDevice)
        const other = cameras[(index + 1) % cameras.length]
        fresh = await devices.getUserMedia({ video: { ...video, facingMode: undefined, deviceId: { exact: other.deviceId } } })
      } catch {
        fresh = await devices.getUserMedia({ video }).catch(() => null)
      }
    }
    if (!fresh) return null
    const track = fresh.getVideoTracks()[0]
    this.state.facing = next
    const tracks = stream.getAudioTracks().concat([track])
    const updated = new MediaStream(tracks)
    this.state.localStream = updated
    this.applyToggles(updated)
    return track
  }
}
