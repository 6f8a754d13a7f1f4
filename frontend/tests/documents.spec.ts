import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { documentType, fileProblem, formatSize, subjectTime } from '../src/attachments'
import { browserName } from '../src/audit'
import { setUser } from '../src/session'
import { heldBooking, NOW, patient, plain } from './bookingFixtures'
import { apiError, jsonResponse, mountWithRouter, sentBodies, stubApi } from './helpers'

type Wrapper = Awaited<ReturnType<typeof mountWithRouter>>['wrapper']

const paid = heldBooking({
  id: 'b-2',
  status: 'paid',
  hold_expires_at: null,
  payment_status: 'succeeded',
  room_id: 'r-2',
  cancellation: { refund: 'full', deadline: '2026-11-26T14:30:00+03:00', deadline_hours: 24 },
})

const TICKET_FIELDS = {
  key: 'attachments/b-2/a-1',
  'Content-Type': 'application/pdf',
  'x-amz-server-side-encryption': 'aws:kms',
  'x-amz-server-side-encryption-aws-kms-key-id': 'alias/telemed-data',
  'x-amz-algorithm': 'AWS4-HMAC-SHA256',
  'x-amz-credential': 'testing/20261126/eu-central-1/s3/aws4_request',
  'x-amz-date': '20261126T060000Z',
  policy: 'eyJleHBpcmF0aW9uIjoi...',
  'x-amz-signature': 'abc123',
}

function ticket(id: string, contentType = 'application/pdf') {
  return {
    attachment_id: id,
    url: 'http://127.0.0.1:5005/telemed-documents',
    fields: { ...TICKET_FIELDS, key: `attachments/b-2/${id}`, 'Content-Type': contentType },
    max_size: 1000,
  }
}

function ready(id: string, filename: string, size: number, source = 'cabinet') {
  return {
    id,
    filename,
    content_type: 'application/pdf',
    size,
    status: 'ready',
    source,
    uploaded_at: '2026-11-26T06:10:00+00:00',
    download_url: `http://127.0.0.1:5005/telemed-documents/attachments/b-2/${id}?X-Amz-Signature=x`,
  }
}

/** XMLHttpRequest as the storage upload uses it; each test drives progress and the answer by hand. */
class FakeXhr {
  static sent: FakeXhr[] = []
  method = ''
  url = ''
  body: FormData | null = null
  status = 0
  responseText = ''
  upload: { onprogress: ((event: ProgressEvent) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  ontimeout: (() => void) | null = null
  onabort: (() => void) | null = null

  open(method: string, url: string) {
    this.method = method
    this.url = url
  }

  send(body: FormData) {
    this.body = body
    FakeXhr.sent.push(this)
  }

  abort() {
    if (this.onabort) this.onabort()
  }

  /** The multipart entries in order: [name, text value or the file's name]. */
  entries(): Array<[string, string]> {
    const out: Array<[string, string]> = []
    this.body!.forEach((value, name) => {
      out.push([name, typeof value === 'string' ? value : `file:${(value as File).name}`])
    })
    return out
  }

  progress(loaded: number, total: number) {
    this.upload.onprogress!({ lengthComputable: true, loaded, total } as ProgressEvent)
  }

  answer(status: number, text = '') {
    this.status = status
    this.responseText = text
    this.onload!()
  }

  fail() {
    this.onerror!()
  }
}

function pdf(name: string, size = 1000, type = 'application/pdf'): File {
  const file = new File(['%PDF-1.4 test'], name, { type })
  Object.defineProperty(file, 'size', { value: size })
  return file
}

async function choose(wrapper: Wrapper, files: File[]) {
  const input = wrapper.find('[data-test="documents-input"]')
  Object.defineProperty(input.element, 'files', { value: files, configurable: true })
  await input.trigger('change')
  await flushPromises()
}

function uploads(wrapper: Wrapper) {
  return wrapper.findAll('[data-test="upload"]').map((item) => ({
    state: item.attributes('data-state'),
    text: plain(item.find('[data-test="upload-state"]').text()),
  }))
}

describe('«Документы для врача» on the booking page', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
    setUser(patient)
    FakeXhr.sent = []
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('sends the fields before the file, shows the progress, and lists the accepted file', async () => {
    let listed = [ready('e-1', 'анализ крови.pdf', 350 * 1024, 'email')]
    const fetchMock = stubApi({
      'GET /api/bookings/b-2': () => jsonResponse(200, paid),
      'GET /api/bookings/b-2/attachments': () => jsonResponse(200, listed),
      'POST /api/bookings/b-2/attachments': () => jsonResponse(201, ticket('a-1')),
      'POST /api/bookings/b-2/attachments/a-1/complete': () => {
        const done = ready('a-1', 'УЗИ сердца.pdf', 1536 * 1024)
        listed = listed.concat([done])
        const withoutLink: Partial<typeof done> = { ...done }
        delete withoutLink.download_url
        return jsonResponse(200, withoutLink)
      },
    })
    const { wrapper } = await mountWithRouter(App, '/bookings/b-2')
    await flushPromises()

    const section = wrapper.find('[data-test="documents"]')
    expect(section.find('h2').text()).toBe('Документы для врача')
    const before = wrapper.findAll('[data-test="attachment"]')
    expect(before).toHaveLength(1)
    expect(plain(before[0].text())).toContain('анализ крови.pdf')
    expect(before[0].find('[data-test="attachment-size"]').text()).toBe('350 КБ')
    expect(before[0].find('[data-test="attachment-source"]').text()).toBe('получен по почте')

    await choose(wrapper, [pdf('УЗИ сердца.pdf', 1536 * 1024)])
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-2/attachments')).toEqual([
      { filename: 'УЗИ сердца.pdf', content_type: 'application/pdf', size: 1536 * 1024 },
    ])
    expect(FakeXhr.sent).toHaveLength(1)
    const xhr = FakeXhr.sent[0]
    expect([xhr.method, xhr.url]).toEqual(['POST', 'http://127.0.0.1:5005/telemed-documents'])
    const names = xhr.entries().map(([name]) => name)
    expect(names).toEqual(Object.keys(TICKET_FIELDS).concat(['file']))
    expect(xhr.entries()[0]).toEqual(['key', 'attachments/b-2/a-1'])
    expect(xhr.entries()[names.length - 1]).toEqual(['file', 'file:УЗИ сердца.pdf'])

    xhr.progress(400, 1000)
    await flushPromises()
    expect((wrapper.find('[data-test="upload-progress"]').element as HTMLProgressElement).value).toBe(40)
    expect(uploads(wrapper)).toEqual([{ state: 'uploading', text: 'Загружается: 40 %' }])
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-2/attachments/a-1/complete')).toHaveLength(0)

    xhr.answer(204)
    await flushPromises()
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-2/attachments/a-1/complete')).toHaveLength(1)
    expect(uploads(wrapper)).toEqual([{ state: 'done', text: 'Принят' }])
    const after = wrapper.findAll('[data-test="attachment"]')
    expect(after).toHaveLength(2)
    expect(plain(after[1].text())).toContain('УЗИ сердца.pdf')
    expect(after[1].find('[data-test="attachment-size"]').text()).toBe('1,5 МБ')
    expect(after[1].find('[data-test="attachment-source"]').text()).toBe('из кабинета')
    expect(after[1].find('[data-test="attachment-link"]').attributes('target')).toBe('_blank')
    expect(after[1].find('[data-test="attachment-link"]').attributes('href')).toContain('/attachments/b-2/a-1')
  })

  it('uploads one file at a time and shows the server’s reason for a refused one', async () => {
    const rejected =
      'Файл «анализы.pdf» не принят: это не PDF, JPEG или PNG. Мы его удалили; пришлите, пожалуйста, PDF, JPEG или PNG.'
    let next = 0
    stubApi({
      'GET /api/bookings/b-2': () => jsonResponse(200, paid),
      'GET /api/bookings/b-2/attachments': () => jsonResponse(200, []),
      'POST /api/bookings/b-2/attachments': () => jsonResponse(201, ticket(`a-${++next}`)),
      'POST /api/bookings/b-2/attachments/a-1/complete': () => apiError(422, 'file_rejected', rejected),
      'POST /api/bookings/b-2/attachments/a-2/complete': () => jsonResponse(200, ready('a-2', 'выписка.pdf', 2048)),
    })
    const { wrapper } = await mountWithRouter(App, '/bookings/b-2')
    await flushPromises()

    await choose(wrapper, [pdf('анализы.pdf', 20), pdf('выписка.pdf', 2048)])
    expect(FakeXhr.sent).toHaveLength(1)
    expect(uploads(wrapper).map((item) => item.state)).toEqual(['uploading', 'waiting'])
    expect(uploads(wrapper)[1].text).toBe('В очереди')

    FakeXhr.sent[0].answer(204)
    await flushPromises()
    expect(uploads(wrapper)[0]).toEqual({ state: 'rejected', text: rejected })
    expect(wrapper.find('[data-test="upload"][data-state="rejected"] [role="alert"]').exists()).toBe(true)
    expect(FakeXhr.sent).toHaveLength(2)

    FakeXhr.sent[1].answer(204)
    await flushPromises()
    expect(uploads(wrapper).map((item) => item.state)).toEqual(['rejected', 'done'])
  })

  it('refuses a file over 20 MB or of another type before asking the server', async () => {
    const fetchMock = stubApi({
      'GET /api/bookings/b-2': () => jsonResponse(200, paid),
      'GET /api/bookings/b-2/attachments': () => jsonResponse(200, []),
    })
    const { wrapper } = await mountWithRouter(App, '/bookings/b-2')
    await flushPromises()

    await choose(wrapper, [pdf('КТ.pdf', 20 * 1024 * 1024 + 1), new File(['x'], 'письмо.docx', { type: 'application/msword' })])
    expect(uploads(wrapper)).toEqual([
      { state: 'rejected', text: 'Файл больше 20 МБ. Уменьшите его или пришлите частями.' },
      { state: 'rejected', text: 'Можно прислать только PDF, JPEG или PNG.' },
    ])
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-2/attachments')).toHaveLength(0)
    expect(FakeXhr.sent).toHaveLength(0)
  })

  it('counts the files already sent against the ten', async () => {
    const nine: Array<ReturnType<typeof ready>> = []
    for (let i = 1; i <= 9; i += 1) nine.push(ready(`e-${i}`, `файл ${i}.pdf`, 1000))
    const fetchMock = stubApi({
      'GET /api/bookings/b-2': () => jsonResponse(200, paid),
      'GET /api/bookings/b-2/attachments': () => jsonResponse(200, nine),
      'POST /api/bookings/b-2/attachments': () => jsonResponse(201, ticket('a-1')),
    })
    const { wrapper } = await mountWithRouter(App, '/bookings/b-2')
    await flushPromises()
    await choose(wrapper, [pdf('десятый.pdf'), pdf('одиннадцатый.pdf')])
    expect(uploads(wrapper)).toEqual([
      { state: 'uploading', text: 'Загружается: 0 %' },
      { state: 'rejected', text: 'К одной консультации можно приложить не больше 10 файлов.' },
    ])
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-2/attachments')).toHaveLength(1)
  })

  it('shows the server’s field message (400) and the reason when the storage cannot be reached', async () => {
    const fetchMock = stubApi({
      'GET /api/bookings/b-2': () => jsonResponse(200, paid),
      'GET /api/bookings/b-2/attachments': () => jsonResponse(200, []),
      'POST /api/bookings/b-2/attachments': (body) =>
        (body as { filename: string }).filename === 'большой.png'
          ? apiError(400, 'validation_error', 'Проверьте данные.', { size: 'Файл больше 20 МБ. Уменьшите его или пришлите частями.' })
          : jsonResponse(201, ticket('a-7')),
      'POST /api/bookings/b-2/attachments/a-7/complete': () =>
        apiError(422, 'file_rejected', 'Файл «снимок.jpg» не принят: файл не был загружен.'),
    })
    const { wrapper } = await mountWithRouter(App, '/bookings/b-2')
    await flushPromises()
    await choose(wrapper, [pdf('большой.png', 1000, 'image/png'), pdf('снимок.jpg', 1000, '')])
    expect(uploads(wrapper)[0]).toEqual({ state: 'rejected', text: 'Файл больше 20 МБ. Уменьшите его или пришлите частями.' })
    // No type from the browser: the name's ending says JPEG.
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-2/attachments')[1]).toEqual({
      filename: 'снимок.jpg',
      content_type: 'image/jpeg',
      size: 1000,
    })
    FakeXhr.sent[0].fail()
    await flushPromises()
    expect(uploads(wrapper)[1]).toEqual({
      state: 'rejected',
      text: 'Не удалось передать файл: соединение прервалось. Проверьте подключение к интернету и попробуйте ещё раз.',
    })
    // The server is told, so that the failed file does not count against the ten.
    expect(sentBodies(fetchMock, 'POST /api/bookings/b-2/attachments/a-7/complete')).toHaveLength(1)
  })

  it('shows the booking’s own documents address (and nothing about email without one)', async () => {
    const address = 'docs+abcdefghijklmnopqrstuvwxyz234567@clinic.local'
    stubApi({
      'GET /api/bookings/b-2': () => jsonResponse(200, { ...paid, documents_address: address }),
      'GET /api/bookings/b-4': () => jsonResponse(200, { ...paid, id: 'b-4', documents_address: null }),
      'GET /api/bookings/b-2/attachments': () => jsonResponse(200, []),
      'GET /api/bookings/b-4/attachments': () => jsonResponse(200, []),
    })
    const { wrapper, router } = await mountWithRouter(App, '/bookings/b-2')
    await flushPromises()
    expect(wrapper.find('[data-test="documents-empty"]').text()).toBe('Вы пока не прислали документов.')
    const note = plain(wrapper.find('[data-test="documents-email"]').text())
    expect(note).toContain('на личный адрес этой консультации')
    expect(note).toContain('не сообщайте его посторонним')
    const link = wrapper.find('[data-test="documents-address"]')
    expect(link.text()).toBe(address)
    expect(link.attributes('href')).toBe(`mailto:${address}`)
    await router.push('/bookings/b-4')
    await flushPromises()
    expect(wrapper.find('[data-test="documents-email"]').exists()).toBe(false)
  })

  it('is not offered before payment; a completed booking offers the signed PDF and the check', async () => {
    stubApi({
      'GET /api/bookings/b-1': () => jsonResponse(200, heldBooking()),
      'GET /api/bookings/b-3': () => jsonResponse(200, { ...paid, id: 'b-3', status: 'completed', cancellation: null }),
    })
    const { wrapper, router } = await mountWithRouter(App, '/bookings/b-1')
    await flushPromises()
    expect(wrapper.find('[data-test="documents"]').exists()).toBe(false)

    await router.push('/bookings/b-3')
    await flushPromises()
    expect(wrapper.find('[data-test="documents"]').exists()).toBe(false)
    const conclusion = wrapper.find('[data-test="patient-conclusion"]')
    expect(conclusion.find('h2').text()).toBe('Заключение врача')
    const link = conclusion.find('[data-test="conclusion-pdf"]')
    expect(link.text()).toBe('Скачать PDF')
    expect(link.attributes('href')).toBe('/api/bookings/b-3/conclusion/pdf')
    // A download link's request has no Accept header in Chromium; the API needs one for the binary answer.
    expect(link.attributes('download')).toBeUndefined()
    expect(conclusion.find('[data-test="conclusion-verify"]').attributes('href')).toBe('/verify')
  })
})

describe('documents helpers', () => {
  it('knows the types by the browser’s type or the name', () => {
    expect(documentType({ name: 'a.PDF', type: '' })).toBe('application/pdf')
    expect(documentType({ name: 'a.jpeg', type: 'image/jpg' })).toBe('image/jpeg')
    expect(documentType({ name: 'a.png', type: 'image/png' })).toBe('image/png')
    expect(documentType({ name: 'a.heic', type: 'image/heic' })).toBeNull()
    expect(fileProblem({ name: 'a.pdf', type: 'application/pdf', size: 20 * 1024 * 1024 })).toBe('')
    expect(fileProblem({ name: 'a.pdf', type: 'application/pdf', size: 0 })).toBe('Файл пустой.')
  })

  it('writes sizes, the subject time and browsers as people read them', () => {
    expect(formatSize(900)).toBe('900 Б')
    expect(formatSize(2.25 * 1024 * 1024)).toBe('2,3 МБ')
    expect(subjectTime('2026-11-27T11:30:00Z')).toBe('27.11.2026 14:30')
    expect(
      browserName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'),
    ).toBe('Chrome 120, Windows')
    expect(
      browserName('Mozilla/5.0 (iPhone; CPU iPhone OS 12_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1'),
    ).toBe('Safari 12, iOS')
    expect(browserName(null)).toBe('—')
  })
})
