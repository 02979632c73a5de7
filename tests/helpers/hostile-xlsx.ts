import zlib from 'node:zlib'

// Hostile .xlsx packages, made byte by byte (review-security M3): a shared-strings bomb, rows with a
// cell in column XFD, tens of thousands of rejected rows, a cell of hundreds of megabytes. A zip is
// written here by hand so that a test can make its central directory declare what it likes (sizes
// can lie) and so that a part of hundreds of megabytes costs milliseconds to make: deflate blocks
// ended by a full flush stand alone, so one compressed chunk repeated n times inflates to the chunk
// n times over.

export interface Part {
  name: string
  /** The part's deflated bytes. */
  deflated: Buffer
  /** What inflating them gives, in bytes. */
  size: number
  /** CRC-32 of the inflated bytes; 0 when too large to compute cheaply (the guard refuses first). */
  crc: number
  /** What the central directory and the local header claim, when they lie. */
  declaredSize?: number
}

/** A part from its text, deflated whole. */
export function textPart(name: string, text: string | Buffer): Part {
  const raw = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8')
  return { name, deflated: zlib.deflateRawSync(raw), size: raw.length, crc: zlib.crc32(raw) }
}

/** head + body repeated `times` + tail, deflated in pieces that stand alone, never held inflated. */
export function repeatedPart(name: string, head: string, body: string, times: number, tail: string): Part {
  const flush = { finishFlush: zlib.constants.Z_FULL_FLUSH }
  const h = zlib.deflateRawSync(Buffer.from(head), flush)
  const b = zlib.deflateRawSync(Buffer.from(body), flush)
  const t = zlib.deflateRawSync(Buffer.from(tail))
  const size = Buffer.byteLength(head) + Buffer.byteLength(body) * times + Buffer.byteLength(tail)
  return { name, deflated: Buffer.concat([h, ...Array<Buffer>(times).fill(b), t]), size, crc: 0 }
}

/** The zip: local headers and data, then the central directory and its end record. */
export function zip(parts: Part[]): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const p of parts) {
    const name = Buffer.from(p.name)
    const size = p.declaredSize ?? p.size
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(p.crc >>> 0, 14)
    local.writeUInt32LE(p.deflated.length, 18)
    local.writeUInt32LE(Math.min(size, 0xfffffffe), 22)
    local.writeUInt16LE(name.length, 26)
    locals.push(local, name, p.deflated)
    const entry = Buffer.alloc(46)
    entry.writeUInt32LE(0x02014b50, 0)
    entry.writeUInt16LE(20, 4)
    entry.writeUInt16LE(20, 6)
    entry.writeUInt16LE(0x0800, 8)
    entry.writeUInt16LE(8, 10)
    entry.writeUInt32LE(p.crc >>> 0, 16)
    entry.writeUInt32LE(p.deflated.length, 20)
    entry.writeUInt32LE(Math.min(size, 0xfffffffe), 24)
    entry.writeUInt16LE(name.length, 28)
    entry.writeUInt32LE(offset, 42)
    central.push(entry, name)
    offset += 30 + name.length + p.deflated.length
  }
  const dir = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(parts.length, 8)
  end.writeUInt16LE(parts.length, 10)
  end.writeUInt32LE(dir.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, dir, end])
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'

/** The parts every workbook has, around one worksheet and (when given) its shared strings. */
export function workbook(sheet: Part, sharedStrings?: Part): Buffer {
  const parts = [
    textPart(
      '[Content_Types].xml',
      `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        `<Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
        `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
        `</Types>`,
    ),
    textPart(
      '_rels/.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    textPart(
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8"?><workbook ${NS} xmlns:r="${REL}"><sheets>` +
        `<sheet name="订单" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    textPart(
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
        (sharedStrings
          ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>`
          : '') +
        `</Relationships>`,
    ),
    ...(sharedStrings ? [sharedStrings] : []),
    sheet,
  ]
  return zip(parts)
}

export const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8"?><worksheet ${NS}><sheetData>`
export const SHEET_TAIL = `</sheetData></worksheet>`

/** An inline-string cell. */
export function cell(ref: string, text: string): string {
  return `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`
}

/** The header row of an order list: 商户订单号, 金额(元). */
export const HEADER_ROW = `<row r="1">${cell('A1', '商户订单号')}${cell('B1', '金额(元)')}</row>`

/**
 * The shared-strings bomb: one string index used by the sheet, and the strings part inflating to
 * `mb` megabytes of one repeated string (the review's 11 MB file held about 5 GB).
 */
export function sharedStringsBomb(mb: number, declaredSize?: number): Buffer {
  const body = `<si><t>${'炸'.repeat(340)}</t></si>`
  const times = Math.ceil((mb << 20) / Buffer.byteLength(body))
  const sst = repeatedPart('xl/sharedStrings.xml', `<sst ${NS}>`, body, times, '</sst>')
  if (declaredSize !== undefined) sst.declaredSize = declaredSize
  const sheet = textPart(
    'xl/worksheets/sheet1.xml',
    `${SHEET_HEAD}${HEADER_ROW}<row r="2"><c r="A2" t="s"><v>0</v></c>${cell('B2', '1.00')}</row>${SHEET_TAIL}`,
  )
  return workbook(sheet, sst)
}

/** `rows` data rows, each with an order number, an amount and one more cell in column XFD (16,384). */
export function wideRows(rows: number, amount = '1.00'): Buffer {
  const lines: string[] = [SHEET_HEAD, HEADER_ROW]
  for (let r = 2; r <= rows + 1; r++)
    lines.push(
      `<row r="${r}">${cell(`A${r}`, `W${r}`)}${cell(`B${r}`, amount)}<c r="XFD${r}"><v>1</v></c></row>`,
    )
  lines.push(SHEET_TAIL)
  return workbook(textPart('xl/worksheets/sheet1.xml', lines.join('')))
}

/** A row whose one cell is an inline string of `mb` megabytes. */
export function bigCell(mb: number, declaredSize?: number): Buffer {
  const body = 'A'.repeat(1 << 16)
  const sheet = repeatedPart(
    'xl/worksheets/sheet1.xml',
    `${SHEET_HEAD}${HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>`,
    body,
    Math.ceil((mb << 20) / body.length),
    `</t></is></c></row>${SHEET_TAIL}`,
  )
  if (declaredSize !== undefined) sheet.declaredSize = declaredSize
  return workbook(sheet)
}
