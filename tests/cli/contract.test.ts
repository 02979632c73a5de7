import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { main } from '../../src/main/server/cli/main'
import { createWorld, type World } from '../helpers/world'

// The command line through the contract: the same operations, the same schemas as the window; a
// refusal said in the command line's own terms (the flag, what was typed, the range the schema
// allows), and every row of a list for a script. Run in this process: `main` is what bin/paysync
// runs, and the sentences are what matter here, not the process around them.

let w: World
beforeAll(async () => {
  w = await createWorld()
})
afterAll(async () => {
  await w.close()
})

async function paysync(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk)
    return true
  })
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk)
    return true
  })
  try {
    const code = await main(['node', 'paysync', '--db', w.dbFile, ...args])
    return { code, stdout, stderr }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}

describe('paysync refuses a flag in the flag’s own words', () => {
  it('naming the flag, what was typed and what the schema allows', async () => {
    const mapping = path.join(w.dir, 'bad-mapping.json')
    fs.writeFileSync(mapping, JSON.stringify({ columns: { SO: 'orderNumber' } }))
    const csv = path.join(w.dir, 'one.csv')
    fs.writeFileSync(csv, 'SO,amount\nX-1,100\n')
    const cases: Array<[string[], RegExp]> = [
      [['records', '--limit', 'abc'], /^paysync: --limit must be a whole number from 1 to 1000, not "abc"$/],
      [
        ['orders', '--limit', '5000'],
        /--limit is at most 1000 rows a page: page on with --offset, or .*--all/,
      ],
      [['refunds', '--offset', '-1'], /--offset must be a whole number of 0 or more, not -1$/],
      [['records', '--repaired', 'maybe'], /--repaired must be yes or no, not "maybe"$/],
      [['records', '--result', 'maybe'], /--result must be one of consistent, repaired, .*, not "maybe"$/],
      [['records', '--batch', 'x'], /--batch must be a whole number of 1 or more, not "x"$/],
      [['records', '--since', 'yesterday'], /--since: not a time/],
      [['anomalies', 'resolve', 'x', '--action', 'dismiss', '--remark', 'why'], /the anomaly id must be/],
      [
        ['anomalies', 'resolve', '1', '--action', 'fly', '--remark', 'why'],
        /--action must be one of mark_paid, /,
      ],
      // The window's limit, which the command line did not have.
      [
        ['anomalies', 'resolve', '1', '--action', 'dismiss', '--remark', 'r'.repeat(501)],
        /--remark may be 500 /,
      ],
      [['batch', 'show', '0'], /the batch id must be a whole number of 1 or more, not 0$/],
      [['batch', 'resume', 'one'], /the batch id must be a whole number of 1 or more, not "one"$/],
      [['batch', 'list', '--limit', '1001'], /--limit is at most 1000 batches a page/],
      [
        ['export', 'totals', '--out', 'x.csv'],
        /export <what> must be one of records, orders, refunds, repairs, anomalies, batch, rejected, statement-diffs, statement-lines, not "totals"$/,
      ],
      [['export', 'batch', '--out', 'x.csv'], /the batch id .* is required$/],
      [
        ['sync', '--all', '--concurrency', '65'],
        /--concurrency must be a whole number from 1 to 64, not 65$/,
      ],
      [['sync', '--all', '--qps', '0.05'], /--qps must be a number from 0.1 to 2000, not 0.05$/],
      [['import', csv, '--type', 'sale'], /--type must be one of pay, refund, not "sale"$/],
      [
        ['import', csv, '--mapping', mapping],
        /--mapping \(columns\.SO\) must be one of orderNo, .*, not "orderNumber"$/,
      ],
      [['sync', '--file', csv, '--mapping', mapping], /--mapping \(columns\.SO\) must be one of orderNo, /],
      [['serve', '--port', '70000'], /--port must be a whole number from 0 to 65535, not 70000$/],
      [['simulator', '--fault-rate', '2'], /--fault-rate must be a number from 0 to 1, not 2$/],
    ]
    for (const [args, said] of cases) {
      const r = await paysync(...args)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr.trim(), args.join(' ')).toMatch(said)
      expect(r.stderr, args.join(' ')).not.toMatch(/Invalid input|expected number|received NaN/)
    }
  })

  it('a merchant file in the profile’s words: its fields are not flags', async () => {
    const file = path.join(w.dir, 'half.json')
    fs.writeFileSync(file, JSON.stringify({ name: 'half', channel: 'alipay' }))
    const r = await paysync('merchant', 'add', '--config', file)
    expect(r.code).toBe(1)
    // The field is named, and what is wrong with it said in plain words (review p1), not zod's.
    expect(r.stderr).toMatch(
      /^paysync: the merchant profile is not valid: endpoint is missing; appId is missing/,
    )
  })
})

describe('paysync lists for scripts', () => {
  it('pages through every row with --json --all, one object a line', async () => {
    const rows = ['orderNo,amountFen,status']
    for (let i = 0; i < 2345; i++) rows.push(`ALL-${String(i).padStart(4, '0')},100,progress`)
    const csv = path.join(w.dir, 'many.csv')
    fs.writeFileSync(csv, rows.join('\n'))
    expect((await paysync('import', csv, '--merchant', 'ali', '--json')).code).toBe(0)

    const page = await paysync('orders', '--json', '--limit', '1000')
    expect(JSON.parse(page.stdout)).toMatchObject({ total: 2345 })
    const all = await paysync('orders', '--json', '--all')
    expect(all.code).toBe(0)
    const lines = all.stdout.trim().split('\n')
    expect(lines).toHaveLength(2345)
    const numbers = new Set(lines.map((l) => (JSON.parse(l) as { orderNo: string }).orderNo))
    expect(numbers.size).toBe(2345)
    // From an offset, with the filters a page takes.
    expect(
      (await paysync('orders', '--json', '--all', '--offset', '2000')).stdout.trim().split('\n'),
    ).toHaveLength(345)
    const none = await paysync('orders', '--json', '--all', '--no', 'NOTHING-LIKE-IT')
    expect([none.code, none.stdout]).toEqual([0, ''])
    // Not a table of every row, and not a page size of its own.
    expect((await paysync('orders', '--all')).stderr).toMatch(/add --json/)
    expect((await paysync('orders', '--json', '--all', '--limit', '10')).stderr).toMatch(/leave out --limit/)
  }, 60_000)

  it('gives with --all the rows pages by offset give, in every order, across ties of the sort key', async () => {
    // The 2,345 orders above share one amount and few milliseconds: the id orders each run of ties.
    const numbers = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { orderNo: string }).orderNo)
    for (const sort of ['-time', 'time', '-amount', 'amount']) {
      const all = await paysync('orders', '--json', '--all', '--sort', sort)
      expect(all.code).toBe(0)
      const pages: string[] = []
      for (let offset = 0; ; offset += 1000) {
        const page = await paysync(
          'orders',
          '--json',
          '--limit',
          '1000',
          '--offset',
          String(offset),
          '--sort',
          sort,
        )
        const parsed = JSON.parse(page.stdout) as { items: Array<{ orderNo: string }>; total: number }
        pages.push(...parsed.items.map((o) => o.orderNo))
        if (offset + 1000 >= parsed.total) break
      }
      expect(pages.length).toBeGreaterThanOrEqual(2345)
      expect(numbers(all.stdout), sort).toEqual(pages)
    }
  }, 60_000)

  it('goes on after a page with --after, and refuses a cursor it cannot go on from', async () => {
    const first = JSON.parse(
      (await paysync('orders', '--json', '--limit', '3', '--sort', 'amount')).stdout,
    ) as {
      items: Array<{ id: number }>
      next: string
    }
    expect(first.next).toEqual(expect.any(String))
    const second = JSON.parse(
      (await paysync('orders', '--json', '--limit', '3', '--sort', 'amount', '--after', first.next)).stdout,
    ) as { items: Array<{ id: number }> }
    const both = JSON.parse(
      (await paysync('orders', '--json', '--limit', '6', '--sort', 'amount')).stdout,
    ) as {
      items: Array<{ id: number }>
    }
    expect([...first.items, ...second.items].map((o) => o.id)).toEqual(both.items.map((o) => o.id))

    const cases: Array<[string[], RegExp]> = [
      [
        ['orders', '--after', 'page-two'],
        /^paysync: --after: not a cursor of a list: pass back the `next` of the page before, as it came$/,
      ],
      [
        ['orders', '--after', first.next],
        /^paysync: --after: the cursor goes on from a list sorted by amount, not by -time: start again from the first page$/,
      ],
      [
        ['audit', '--after', first.next],
        /^paysync: --after: the cursor goes on from a list sorted by amount, not by -time/,
      ],
      [
        ['orders', '--sort', 'amount', '--after', first.next, '--offset', '3'],
        /^paysync: --offset: a page starts either after a cursor or at an offset, not both$/,
      ],
    ]
    for (const [args, said] of cases) {
      const r = await paysync(...args)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr.trim(), args.join(' ')).toMatch(said)
    }
  })
})

describe('paysync speaks plainly (review p1) and sums its lists (issue 14 item 7)', () => {
  it('names, totals, plurals, Chinese status words and ended batches', async () => {
    const paid = w.payOrder({ merchant: 'ali', orderNo: 'P1-PAID', amount: 12_50, status: 'success' })
    w.payOrder({ merchant: 'ali', orderNo: 'P1-WAIT', amount: 3_00 })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'P1-WAIT', amount: 3_00, state: 'WAIT_BUYER_PAY' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'P1-PAID', amount: 99_00, state: 'TRADE_SUCCESS' })
    void paid

    // The window's and the CSV's status words are taken for the codes.
    const orders = await paysync('orders', '--status', '成功', '--no', 'P1-')
    expect(orders.code).toBe(0)
    expect(orders.stdout).toMatch(/^1 pay order, amounts 12\.50 yuan\n/)

    // One anomaly is "1 anomaly", and a batch that has ended has nothing to resume.
    const sync = await paysync('sync', '--order', 'P1-PAID', '--order', 'P1-WAIT')
    expect(sync.stdout).toMatch(/1 anomaly, 0 decided before, 1 waiting, 0 errors/)
    // A batch of its own (the file's one trade), not every trade the other tests left behind.
    const list1 = path.join(w.dir, 'p1-list.csv')
    fs.writeFileSync(list1, '商户订单号,商户,金额(元)\nP1-WAIT,ali,3.00\n')
    const batch = await paysync('sync', '--file', list1, '--json')
    const batchId = (JSON.parse(batch.stdout) as { batchId: number }).batchId
    const resume = await paysync('batch', 'resume', String(batchId))
    expect(resume.stdout).toMatch(new RegExp(`^batch ${batchId} is done \\(\\d+/\\d+\\): nothing to resume`))
    const list = await paysync('batch', 'list')
    expect(list.stdout).toMatch(/ done +\d+\/\d+ .* \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n/)
    expect(list.stdout).not.toMatch(/Done|T\d\d:/)

    // A remark too short says what is wanted; a decision says what it did.
    const id = (
      JSON.parse((await paysync('anomalies', '--json', '--no', 'P1-PAID')).stdout) as {
        items: Array<{ id: number }>
      }
    ).items[0]!.id
    expect(
      (await paysync('anomalies', 'resolve', String(id), '--action', 'dismiss', '--remark', 'x')).stderr,
    ).toMatch(/--remark: write at least 2 characters/)
    const done = await paysync(
      'anomalies',
      'resolve',
      String(id),
      '--action',
      'dismiss',
      '--remark',
      '已核对',
    )
    expect(done.stdout).toBe(`anomaly ${id}: dismissed; the trade is unchanged\n`)

    // Lists sort by amount and say what their amounts come to.
    const anomalies = await paysync('anomalies', '--no', 'P1-', '--status', '已忽略')
    expect(anomalies.stdout).toMatch(/^1 anomaly, local amounts 12\.50 yuan, gateway amounts 99\.00 yuan/)
    const sorted = await paysync('orders', '--no', 'p1-', '--sort', 'amount', '--json')
    expect(
      (JSON.parse(sorted.stdout) as { items: Array<{ orderNo: string }> }).items.map((o) => o.orderNo),
    ).toEqual(['P1-WAIT', 'P1-PAID'])

    // An export can end with its 合计 line.
    const out = path.join(w.dir, 'p1.csv')
    expect((await paysync('export', 'orders', '--out', out, '--no', 'P1-', '--total')).code).toBe(0)
    expect(fs.readFileSync(out, 'utf8').trim().split('\r\n').at(-1)).toMatch(/^合计（2 条）,.*,15\.50,/)
  }, 60_000)

  it('says what to do about a damaged database file, not only SQLite’s words', async () => {
    const bad = path.join(w.dir, 'damaged.db')
    fs.writeFileSync(bad, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0xff)]))
    let stderr = ''
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk)
      return true
    })
    try {
      expect(await main(['node', 'paysync', '--db', bad, 'orders'])).toBe(1)
    } finally {
      err.mockRestore()
    }
    expect(stderr).toMatch(/damaged|not a PaySync Desk database/)
    expect(stderr).toMatch(/paysync check|backup/)
  })
})
