/** The device check's measurements: the microphone's level, a test tone, and the upstream. */

type AudioContextClass = typeof AudioContext

function audioContextClass(): AudioContextClass | null {
  const w = window as unknown as { AudioContext?: AudioContextClass; webkitAudioContext?: AudioContextClass }
  return w.AudioContext || w.webkitAudioContext || null
}

export function canUseWebAudio(): boolean {
  return audioContextClass() !== null
}

/**
 * Follows the loudness of a microphone track (0…1) about ten times a second.
 * Returns a function that stops it. A context the browser keeps suspended until
 * the person touches the page is reported through `onSuspended`, with `resume`.
 */
export function watchLevel(
  stream: MediaStream,
  onLevel: (level: number) => void,
  onSuspended?: (resume: () => Promise<void>) => void,
): () => void {
  const Context = audioContextClass()
  if (!Context || stream.getAudioTracks().length === 0) return () => undefined
  let context: AudioContext
  try {
    context = new Context()
  } catch {
    return () => undefined
  }
  const source = context.createMediaStreamSource(stream)
  const analyser = context.createAnalyser()
  analyser.fftSize = 512
  source.connect(analyser)
  const samples = new Uint8Array(analyser.fftSize)
  const timer = setInterval(() => {
    analyser.getByteTimeDomainData(samples)
    let sum = 0
    for (let i = 0; i < samples.length; i += 1) {
      const value = (samples[i] - 128) / 128
      sum += value * value
    }
    // RMS of speech near the microphone is about 0.05–0.3; stretched so that it fills the bar.
    onLevel(Math.min(1, Math.sqrt(sum / samples.length) * 4))
  }, 100)
  if (context.state === 'suspended' && onSuspended) onSuspended(() => context.resume())
  return () => {
    clearInterval(timer)
    try {
      source.disconnect()
    } catch {
      // already disconnected
    }
    void context.close().catch(() => undefined)
  }
}

/** Plays a soft two-note chime (about 1.2 s) through the default speakers. Must follow a click. */
export function playTestTone(): Promise<void> {
  const Context = audioContextClass()
  if (!Context) return Promise.reject(new Error('no WebAudio'))
  const context = new Context()
  const gain = context.createGain()
  gain.connect(context.destination)
  const start = context.currentTime + 0.05
  gain.gain.setValueAtTime(0.0001, start)
  ;[523.25, 659.25].forEach((frequency, index) => {
    const oscillator = context.createOscillator()
    oscillator.type = 'sine'
    oscillator.frequency.setValueAtTime(frequency, start + index * 0.6)
    oscillator.connect(gain)
    oscillator.start(start + index * 0.6)
    oscillator.stop(start + index * 0.6 + 0.55)
  })
  gain.gain.exponentialRampToValueAtTime(0.3, start + 0.05)
  gain.gain.setValueAtTime(0.3, start + 1.0)
  gain.gain.exponentialRampToValueAtTime(0.0001, start + 1.15)
  return context
    .resume()
    .then(
      () =>
        new Promise<void>((resolve) => {
          setTimeout(resolve, 1300)
        }),
    )
    .then(() => context.close())
    .catch(() => undefined)
}

/** Random bytes (so that nothing on the way can compress them). */
function randomBody(size: number): ArrayBuffer {
  const buffer = new ArrayBuffer(size)
  const body = new Uint8Array(buffer)
  const crypto = window.crypto
  for (let offset = 0; offset < size; offset += 65536) {
    const chunk = body.subarray(offset, Math.min(size, offset + 65536))
    if (crypto && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(chunk)
    else for (let i = 0; i < chunk.length; i += 1) chunk[i] = (Math.random() * 256) | 0
  }
  return buffer
}

async function upload(size: number, timeoutMs: number): Promise<number> {
  const controller = typeof AbortController === 'function' ? new AbortController() : null
  const timer = setTimeout(() => {
    if (controller) controller.abort()
  }, timeoutMs)
  const started = Date.now()
  try {
    const response = await fetch('/api/network-check', {
      method: 'POST',
      body: randomBody(size),
      headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/json' },
      credentials: 'same-origin',
      // The room's address carries the patient's token: never in a Referer.
      referrerPolicy: 'no-referrer',
      signal: controller ? controller.signal : undefined,
    })
    if (!response.ok) throw new Error(`network check: ${response.status}`)
    const answer = (await response.json()) as { received_bytes?: number }
    const received = typeof answer.received_bytes === 'number' ? answer.received_bytes : size
    return (received * 8) / Math.max(1, Date.now() - started)
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The upstream in kbit/s: a small upload first; if it was quick, a larger one,
 * which says more (the request's own round trip weighs less in it).
 */
export async function measureUpstream(): Promise<number> {
  const first = await upload(64 * 1024, 20000)
  if (first < 1000) return first
  return upload(448 * 1024, 20000)
}
