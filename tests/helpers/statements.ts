import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import iconv from 'iconv-lite'
import { readStatementLines, type ReadStatementOptions } from '../../src/main/files/statement/statement'
import { bufferSource } from '../../src/main/files/statement/source'
import { parseBeijing } from '../../src/shared/time'

// Statement fixtures and small helpers for the statement tests: the public samples the spec quotes
// (docs/reconcile.md A1), read as the channels send them.

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'statements')

export const ALIPAY_SAMPLE = 'alipay-20880211096256330156_20190916_业务明细.csv'
export const WECHAT_ALL_SAMPLE = 'wechat-all-2021-01-28.csv'
export const WECHAT_REFUND_SAMPLE = 'wechat-refund-2021-02-01.csv'
export const UNIONPAY_SAMPLE = 'INN26100388ZM_898000000000001.sample'

export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(DIR, name))
}

/** A text fixture (stored UTF-8) as its text. */
export function fixtureText(name: string): string {
  return fixture(name).toString('utf8')
}

export function gbk(text: string): Buffer {
  return iconv.encode(text, 'gbk')
}

/** UTC ms of a Beijing wall-clock time. */
export function bj(text: string): number {
  const ms = parseBeijing(text)
  if (ms === null) throw new Error(`not a time: ${text}`)
  return ms
}

export function readBytes(bytes: Buffer, name: string, options: ReadStatementOptions = {}) {
  return readStatementLines(bufferSource(bytes, name), options)
}

/** The lines of a text without its last line end, and joined back the way the file had them. */
export function editLines(text: string, edit: (lines: string[]) => void): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const lines = text.split(eol)
  const last = lines.pop()
  edit(lines)
  return lines.join(eol) + eol + (last ?? '')
}
