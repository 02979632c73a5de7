import { describe, expect, it } from 'vitest'
import { fenToYuan, formatYuan, parseFen, yuanToFen } from '../../src/shared/money'
import { formatBeijing, formatBeijingCompact, parseBeijing, toIsoBeijing } from '../../src/shared/time'

describe('money: yuan text to fen, exactly', () => {
  it.each([
    ['88.88', 8888],
    ['0.01', 1],
    ['0.1', 10],
    ['1', 100],
    ['1.50', 150],
    ['100.200', 10020],
    ['0.07', 7],
    ['19.99', 1999],
    ['1234567890.12', 123456789012],
    ['-35.80', -3580],
  ])('%s yuan is %d fen', (text, fen) => {
    expect(yuanToFen(text)).toBe(fen)
  })

  it.each(['', 'abc', '1.234', '1,000.00', '1e3', '.5', '¥1', '1.2.3', 'NaN', '99999999999999999'])(
    'refuses %j',
    (text) => {
      expect(yuanToFen(text)).toBeNull()
    },
  )

  it('no float rounding: every cent from 0.00 to 99.99 round-trips', () => {
    for (let fen = 0; fen < 10_000; fen++) expect(yuanToFen(fenToYuan(fen))).toBe(fen)
  })

  it('formats for people and for files', () => {
    expect(fenToYuan(123456)).toBe('1234.56')
    expect(fenToYuan(5)).toBe('0.05')
    expect(fenToYuan(-5)).toBe('-0.05')
    expect(formatYuan(123456789)).toBe('¥1,234,567.89')
    expect(parseFen('8888')).toBe(8888)
    expect(parseFen(1)).toBe(1)
    expect(parseFen('1.5')).toBeNull()
    expect(parseFen(-1)).toBeNull()
  })
})

describe('time: Beijing time whatever the machine zone', () => {
  const instant = Date.UTC(2024, 4, 13, 9, 49, 20) // 2024-05-13 17:49:20 in Beijing

  for (const tz of ['UTC', 'America/Los_Angeles', 'Asia/Shanghai', 'Pacific/Kiritimati']) {
    it(`formats and parses Beijing wall-clock in ${tz}`, () => {
      const saved = process.env.TZ
      process.env.TZ = tz
      try {
        expect(formatBeijing(instant)).toBe('2024-05-13 17:49:20')
        expect(formatBeijingCompact(instant)).toBe('20240513174920')
        expect(toIsoBeijing(instant)).toBe('2024-05-13T17:49:20.000+08:00')
        expect(parseBeijing('2024-05-13 17:49:20')).toBe(instant)
      } finally {
        process.env.TZ = saved
      }
    })
  }

  it.each([
    ['2026-11-20 10:00:00', Date.UTC(2026, 10, 20, 2)],
    ['2026/11/20 10:00', Date.UTC(2026, 10, 20, 2)],
    ['2026-11-20', Date.UTC(2026, 10, 19, 16)],
    ['20261120100000', Date.UTC(2026, 10, 20, 2)],
    ['2018-06-08T10:34:56+08:00', Date.UTC(2018, 5, 8, 2, 34, 56)],
    ['2018-06-08T02:34:56Z', Date.UTC(2018, 5, 8, 2, 34, 56)],
  ])('reads %s', (text, ms) => {
    expect(parseBeijing(text)).toBe(ms)
  })

  it.each(['2026-02-30 10:00:00', '2026-13-01', '2026-11-20 25:00', 'yesterday', ''])(
    'refuses %j',
    (text) => {
      expect(parseBeijing(text)).toBeNull()
    },
  )
})

describe('formatBeijing at speed', () => {
  it('agrees with the calendar for random instants, day boundaries and repeated days', () => {
    const slow = (ms: number) => {
      const d = new Date(ms + 8 * 3600_000)
      const p = (n: number) => String(n).padStart(2, '0')
      return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
    }
    let x = 12345
    const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const base = Date.UTC(2026, 10, 19, 16, 0, 0) // Beijing midnight
    const cases = [
      base - 1,
      base,
      base + 1,
      base + 999,
      base + 86_399_999,
      0,
      -1,
      Date.UTC(2028, 1, 28, 16, 0, 0),
    ]
    for (let i = 0; i < 5000; i++)
      cases.push(Math.floor(rand() * 4e12) - 1e12, base + Math.floor(rand() * 3 * 86_400_000))
    for (const ms of cases) expect(formatBeijing(ms), String(ms)).toBe(slow(ms))
  })
})
