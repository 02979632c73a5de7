import ExcelJS from 'exceljs'

// An .xlsx whose worksheet has a damaged deflate stream, the same bytes on every run. exceljs's
// streaming reader (4.4) neither yields a row nor throws on it: found by the import fuzzer, when the
// import then waited for ever. The importer must refuse it.

export async function stallingXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  // Fixed dates, so the zip and the damage are the same bytes each time.
  wb.created = wb.modified = new Date(Date.UTC(2026, 0, 1))
  const ws = wb.addWorksheet('orders')
  ws.addRow(['orderNo', 'merchant', 'amount'])
  for (let i = 0; i < 200; i++) ws.addRow([`X${i}`, 'ali', i + 1])
  const buf = Buffer.from(await wb.xlsx.writeBuffer())
  const name = Buffer.from('xl/worksheets/sheet1.xml')
  let header = -1
  for (let i = 0; i + 30 + name.length <= buf.length; i++) {
    if (buf.readUInt32LE(i) === 0x04034b50 && buf.subarray(i + 30, i + 30 + name.length).equals(name)) {
      header = i
      break
    }
  }
  if (header < 0) throw new Error('no worksheet entry in the workbook exceljs wrote')
  const data = header + 30 + buf.readUInt16LE(header + 26) + buf.readUInt16LE(header + 28)
  const at = data + Math.floor(buf.readUInt32LE(header + 18) * 0.1)
  buf[at]! ^= 0xff
  buf[at + 1]! ^= 0x55
  return buf
}
