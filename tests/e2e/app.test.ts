import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/world'
import { browser, inCI, missing, serve, shot, type ServedApp } from './app'

// A newcomer in browser mode, with no documentation: import an order list, sync it and watch the
// progress, find what needs a decision and decide it, export for accounting, add a merchant profile,
// and never see a secret come back. Every screen is photographed into test-results/screenshots.

// On a developer's machine a missing build or browser skips these tests with a warning. In CI that
// would turn `npm test` green with no screen tested, so there it is a failure.
const ready = missing.length === 0
if (!ready && inCI) throw new Error(`the browser tests cannot run in CI: ${missing.join('; ')}`)
for (const why of missing) console.warn(`skipping the browser tests: ${why}`)

let dir: string
let app: ServedApp
let b: Browser
let page: Page
const apiBodies: string[] = []
/** Whatever the page logs as an error, or Vue as a warning: a newcomer would not see it, but it is a bug. */
const pageErrors: string[] = []

beforeAll(async () => {
  if (!ready) return
  dir = tempDir('paysync-e2e-')
  app = await serve(path.join(dir, 'e2e.db'))
  b = await browser()
  const context = await b.newContext({
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    locale: 'zh-CN',
  })
  page = await context.newPage()
  page.on('pageerror', (e) => pageErrors.push(`${e.message}\n${e.stack ?? ''}`))
  page.on('console', (m) => {
    if (m.type() === 'error' || (m.type() === 'warning' && m.text().includes('[Vue warn]')))
      pageErrors.push(`${m.type()}: ${m.text()}`)
  })
  page.on('response', async (r) => {
    if (r.url().includes('/api/') && !r.url().includes('/api/events'))
      apiBodies.push(await r.text().catch(() => ''))
  })
  await page.goto(app.open)
})

afterAll(async () => {
  await b?.close()
  app?.stop()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

/** Answers the confirmation a dialog asks for (its positive button is the last one). */
/** Waits for the batch on screen to finish: its status tag, not the rows (each says 已完成 when synced). */
const batchDone = async () => {
  const status = page.locator('[data-test="batch-progress"] [data-test="status"]')
  await expect.poll(() => status.innerText(), { timeout: 60_000 }).toBe('已完成')
  // The result rows follow the counters: every row synced once the batch is done.
  await expect.poll(() => page.locator('[data-test="current"]').innerText()).not.toMatch(/待同步|同步中/)
}

const confirmDialog = async () => {
  const dialog = page.locator('.n-dialog').last()
  await dialog.waitFor({ timeout: 10_000 })
  await dialog.locator('.n-dialog__action .n-button').last().click()
  await dialog.waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined)
}

/** The screen on show, by its route name (App.vue marks each screen's root with data-screen). */
const screen = (route: string) => page.locator(`[data-screen="${route}"]`)

/**
 * Goes to a screen by its address (the menu itself is exercised by the screens' own tests) and
 * waits until that screen, not the one before it, is on the page: the screens load lazily, so the
 * address changes before the new screen replaces the old one and its rows.
 */
const go = async (route: string) => {
  // Strings, not functions: they run in the page, whose globals this Node-typed file does not know.
  await page.evaluate(`location.hash = '#/${route}'`)
  // Checked from here, not in the page: the page's CSP forbids evaluating strings there.
  await page.waitForURL((u) => u.hash === `#/${route}`)
  await screen(route).waitFor()
}

describe.skipIf(!ready)('PaySync Desk in a browser', () => {
  it('refuses the API without the token', async () => {
    const res = await fetch(`${app.url}/api/records.list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(401)
    const other = await fetch(`${app.url}/api/records.list`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${app.token}`,
        origin: 'http://evil.example',
      },
      body: '{}',
    })
    expect(other.status).toBe(403)
  })

  it('tells a tab that has not signed in what to do, and the address works once', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const other = await b.newContext({
        viewport: { width: 1440, height: 900 },
        locale: 'zh-CN',
        colorScheme,
      })
      const tab = await other.newPage()
      // A bookmark of the screens, and the printed address a second time (this run's page used it).
      for (const address of [app.url, app.open]) {
        const res = await tab.goto(address)
        expect(res?.status()).toBe(401)
        await expect.poll(() => tab.locator('[data-test="sign-in"]').innerText()).toContain('请打开')
        expect(await tab.locator('body').innerText()).toContain('Open the address')
      }
      await shot(tab, colorScheme === 'light' ? '00-sign-in' : '00b-sign-in-dark')
      await other.close()
    }
  })

  it('opens on the overview, in Chinese, in the sandbox: said so, and the first step is 商户配置', async () => {
    await go('overview')
    await expect.poll(() => page.locator('body').innerText()).toContain('概览')
    // The day's numbers and the merchants' health are in: the sandbox merchants are listed.
    await expect.poll(() => screen('overview').innerText()).toMatch(/demo-alipay/)
    await expect
      .poll(() => page.locator('[data-test="sandbox-notice"]').innerText())
      .toContain('这是沙箱，不是你的账本')
    await expect
      .poll(() => page.locator('[data-test="first-step"]').innerText())
      .toContain('第一步：商户配置')
    await shot(page, '01-overview')
  })

  it('imports an order list and runs its batch with live progress', async () => {
    const csv = path.join(dir, '订单.csv')
    const rows = ['商户订单号,商户,金额(元),订单状态,创建时间']
    for (let i = 0; i < 40; i++)
      rows.push(`E2E-${i},demo-alipay,${(i + 1).toFixed(2)},支付中,2026-11-20 10:00:00`)
    rows.push('E2E-BAD,demo-alipay,abc,支付中,2026-11-20 10:00:00')
    fs.writeFileSync(csv, '\uFEFF' + rows.join('\r\n'))
    await go('batch')
    await page.locator('[data-test="file-input"]').setInputFiles(csv)
    await expect.poll(() => page.locator('body').innerText(), { timeout: 20_000 }).toContain('E2E-0')
    await shot(page, '02-batch-preview')
    // The bad row is shown with its line number before anything is written.
    // The tab, not 导出被拒绝的行 beside the counts.
    await page
      .getByText(/^被拒绝的行 \(\d+\)$/)
      .first()
      .click()
    await expect.poll(() => page.locator('body').innerText()).toContain('42')
    // Why, in the window's language.
    await expect.poll(() => page.locator('body').innerText()).toContain('金额(元)“abc”不是以元为单位的金额')
    await shot(page, '02b-batch-rejected')
    await page.locator('[data-test="start"]').click()
    await batchDone()
    await shot(page, '03-batch-done')
  })

  it('lists sync records and opens one with the gateway message', async () => {
    await go('records')
    await page.locator('.n-data-table-tbody .n-data-table-tr').first().waitFor()
    await shot(page, '04-records')
    await page.locator('.n-data-table-tbody .n-data-table-tr').first().click()
    await page.locator('.n-drawer').first().waitFor()
    await expect.poll(() => page.locator('.n-drawer').first().innerText()).toMatch(/同步消息|Gateway message/)
    await shot(page, '05-record-detail')
    await page.keyboard.press('Escape')
  })

  it('syncs every order of the current filter, then shows orders, refunds and repairs', async () => {
    await go('orders')
    await page.locator('.n-data-table-tbody .n-data-table-tr').first().waitFor()
    await page.locator('[data-test="sync-filter"]').click()
    await confirmDialog()
    await page.waitForURL((u) => u.hash.startsWith('#/batch'), { timeout: 15_000 })

    await batchDone()
    await shot(page, '06-batch-of-filter')
    for (const [route, name] of [
      ['orders', '06b-orders'],
      ['refunds', '07-refunds'],
      ['repairs', '08-repairs'],
    ]) {
      await go(route!)
      await page.locator('.n-data-table-tbody .n-data-table-tr').first().waitFor()
      await shot(page, name!)
    }
    // A repaired order and its history: each sync with its repair number, and no error where none was.
    await go('orders')
    await page.getByPlaceholder('订单号 / 业务号 / 网关号').first().fill('DEMO-A-0001')
    await page.getByRole('button', { name: '查询' }).click()
    await page.locator('.n-data-table-tbody .n-data-table-tr', { hasText: 'DEMO-A-0001' }).first().click()
    const drawer = page.locator('.n-drawer').first()
    await drawer.waitFor()
    await shot(page, '09-order-detail')
    await drawer.locator('.n-tabs-tab', { hasText: '同步记录' }).click()
    const history = drawer.locator('.n-tab-pane .n-data-table').first()
    await expect.poll(() => history.innerText()).toMatch(/已修复/)
    const headers = await history.locator('th').allInnerTexts()
    const repaired = history.locator('.n-data-table-tr', { hasText: '已修复' }).first()
    const cells = await repaired.locator('td').allInnerTexts()
    expect(cells[headers.indexOf('修复单号')]).toMatch(/\S/)
    expect(cells[headers.indexOf('错误信息')]).toBe('')
    await shot(page, '09b-order-history')
    await page.keyboard.press('Escape')
  })

  it('decides an anomaly with a required remark', async () => {
    await go('anomalies')
    await page.locator('.n-data-table-tbody .n-data-table-tr').first().waitFor()
    const before = await page.locator('.n-data-table-tbody .n-data-table-tr').count()
    await shot(page, '10-anomalies')
    await page.locator('.n-data-table-tbody .n-data-table-tr').first().click()
    await page.locator('[data-test="compare"]').waitFor()
    await shot(page, '11-anomaly-detail')
    await page.locator('[data-test^="action-"]').last().click()
    await page.locator('[data-test="resolve"]').click()
    // Without a remark the decision is refused.
    await expect.poll(() => page.locator('.n-drawer').first().innerText()).toMatch(/备注|remark/i)
    await page
      .locator('[data-test="remark"] textarea, textarea[data-test="remark"], [data-test="remark"] input')
      .first()
      .fill('已与财务核对，线下处理')
    await page.locator('[data-test="resolve"]').click()
    await confirmDialog()
    await expect
      .poll(
        async () => {
          const text = await page.locator('body').innerText()
          return /已处理|已忽略|Resolved|Dismissed/.test(text)
        },
        { timeout: 15_000 },
      )
      .toBe(true)
    await page.keyboard.press('Escape')
    void before
  })

  /** One operation of the contract, as the page calls it: for what a test sets up or checks. */
  async function callApi<T>(op: string, input: unknown = {}): Promise<T> {
    const res = await fetch(`${app.url}/api/${op}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` },
      body: JSON.stringify(input),
    })
    const body = (await res.json()) as { ok: boolean; value: T; error?: { message: string } }
    if (!body.ok) throw new Error(`${op}: ${body.error?.message}`)
    return body.value
  }

  /** The built-in sandbox gateway's control endpoints (docs/cli.md 2.2). */
  async function sandbox(pathname: string, body?: unknown): Promise<unknown> {
    const info = await callApi<{ sandbox: { url: string | null } }>('app.info')
    const res = await fetch(`${info.sandbox.url}${pathname}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return res.json()
  }

  type Anomalies = {
    total: number
    items: Array<{ id: number; status: string; tradeId: number; tradeNo: string; followsId: number | null }>
  }

  it('a decision sticks: syncing again opens nothing, a changed answer opens one showing both', async () => {
    const [a] = (
      await callApi<Anomalies>('anomalies.list', { kind: 'amount_mismatch', type: 'pay', limit: 1 })
    ).items
    expect(a).toBeDefined()
    if (a!.status === 'open')
      await callApi('anomalies.resolve', { id: a!.id, action: 'acknowledge', remark: '差额已线下核对' })
    const openOf = async () =>
      (await callApi<Anomalies>('anomalies.list', { type: 'pay', tradeId: a!.tradeId, status: 'open' })).items

    // 立即同步 in the order's drawer: the same answer, recorded against the decision.
    await go('orders')
    await page.getByPlaceholder('订单号 / 业务号 / 网关号').first().fill(a!.tradeNo)
    await page.getByRole('button', { name: '查询' }).click()
    await page.locator('.n-data-table-tbody .n-data-table-tr', { hasText: a!.tradeNo }).first().click()
    const drawer = page.locator('.n-drawer').first()
    await drawer.locator('[data-test="sync-one"]').click()
    await drawer.locator('.n-tabs-tab', { hasText: '同步记录' }).click()
    // The newest record reads 已决定, linked to the decision, and nothing opens.
    const newest = drawer.locator('.n-tab-pane .n-data-table-tbody .n-data-table-tr').first()
    await expect.poll(() => newest.innerText(), { timeout: 15_000 }).toContain('已决定')
    expect(await openOf()).toEqual([])
    await shot(page, '18-decided-record')

    // The gateway now names another amount: a new anomaly, following the decided one.
    const orders = (await sandbox('/_sim/orders')) as Array<Record<string, unknown>>
    const o = orders.find((x) => x.orderNo === a!.tradeNo)!
    await sandbox('/_sim/orders', [
      {
        merchant: o.merchant,
        orderNo: o.orderNo,
        amount: (o.amount as number) + 100,
        state: o.state,
        paidAt: o.paidAt,
      },
    ])
    await drawer.locator('[data-test="sync-one"]').click()
    await expect
      .poll(async () => (await openOf()).map((x) => x.followsId), { timeout: 15_000 })
      .toEqual([a!.id])
    await page.keyboard.press('Escape')

    await go('anomalies')
    await page.getByPlaceholder('订单号 / 业务号 / 网关号').first().fill(a!.tradeNo)
    await page.getByRole('button', { name: '查询' }).click()
    await page.locator('.n-data-table-tbody .n-data-table-tr', { hasText: '待处理' }).first().click()
    await page.locator('[data-test="gateway-decided"]').waitFor()
    expect(await page.locator('[data-test="changed"]').innerText()).toContain(`#${a!.id}`)
    await shot(page, '19-anomaly-two-answers')
    await page.keyboard.press('Escape')
  })

  it('a cancelled batch asks about its scheduled syncs, and its trades stay out of the schedules', async () => {
    const csv = path.join(dir, '取消.csv')
    const rows = ['商户订单号,商户,金额(元),订单状态,创建时间']
    for (let i = 0; i < 300; i++) rows.push(`CXL-${i},demo-alipay,1.00,支付中,2026-11-20 10:00:00`)
    fs.writeFileSync(csv, '\uFEFF' + rows.join('\r\n'))
    // A slow gateway, so the batch is still running when it is cancelled.
    await sandbox('/_sim/faults', { latencyMs: 250 })
    try {
      await go('batch')
      await page.locator('[data-test="file-input"]').setInputFiles(csv)
      await expect.poll(() => page.locator('body').innerText(), { timeout: 20_000 }).toContain('CXL-0')
      await page.locator('[data-test="start"]').click()
      const done = page.locator('[data-test="batch-progress"] [data-test="done"]')
      await expect
        .poll(async () => Number(/已完成 (\d+)/.exec(await done.innerText())?.[1] ?? 0), { timeout: 30_000 })
        .toBeGreaterThan(5)
      await page.locator('[data-test="batch-progress"] [data-test="cancel"]').click()
      const dialog = page.locator('[data-test="cancel-dialog"]')
      await dialog.waitFor()
      // Not one of them is final (the gateway has none of these orders): all 300 would be held.
      expect(await dialog.innerText()).toContain('同时停止这 300 笔交易的定时同步')
      expect(await dialog.locator('.n-checkbox--checked').count()).toBe(1)
      await shot(page, '20-cancel-dialog')
      await confirmDialog()
    } finally {
      await sandbox('/_sim/faults', { latencyMs: 0 })
    }
    const held = page.locator('[data-test="batch-progress"] [data-test="held"]')
    await expect.poll(() => held.innerText(), { timeout: 15_000 }).toContain('定时同步已暂停 300 笔')
    await shot(page, '21-batch-cancelled')
    const listed = await callApi<{ total: number }>('orders.list', { held: true, limit: 1 })
    expect(listed.total).toBe(300)

    // The count leads to the trades, each saying why the schedules skip it.
    await held.getByRole('button', { name: /定时同步已暂停/ }).click()
    await page.waitForURL((u) => u.hash.startsWith('#/orders'))
    await expect
      .poll(() => screen('orders').locator('[data-test="held"]').first().innerText(), { timeout: 15_000 })
      .toMatch(/定时同步：已暂停\s*批次 #\d+ 已取消/)
    await shot(page, '22-orders-held')
    // Said in English too (the sandbox's trades: the books get a merchant of their own further on).
    await page.getByText('English', { exact: true }).first().click()
    await expect
      .poll(() => screen('orders').locator('[data-test="held"]').first().innerText(), { timeout: 15_000 })
      .toMatch(/Schedule: paused\s*batch #\d+: Cancelled/)
    await shot(page, '23-orders-held-english')
    await page.getByText('中文', { exact: true }).first().click()
  })

  it('exports the records for accounting as CSV', async () => {
    await go('records')
    await page.locator('.n-data-table-tbody .n-data-table-tr').first().waitFor()
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.locator('[data-test="export"]').first().click(),
    ])
    const file = path.join(dir, 'export.csv')
    await download.saveAs(file)
    const bytes = fs.readFileSync(file)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(bytes.toString('utf8')).toContain('同步时间(北京时间),金额(元)\r\n')
  })

  it('shows the day on the overview once there is work done', async () => {
    await go('overview')
    await page.locator('canvas').first().waitFor()
    await expect.poll(() => page.locator('body').innerText()).toMatch(/demo-alipay/)
    // The README's picture: without the toasts of the steps before.
    await expect.poll(() => page.locator('.n-message').count(), { timeout: 20_000 }).toBe(0)
    await shot(page, '17-overview-after')
  })

  it('reconciles a day against the sandbox’s bill: calendar, start, differences, lines, list', async () => {
    // docs/reconcile.md A15. A bill exists from 09:00 Beijing the next day: two days back always has one,
    // and the sandbox leaves that day to reconcile by hand.
    const DAY_MS = 86_400_000
    const beijing = (daysAgo: number) => new Date(Date.now() + 8 * 3600_000 - daysAgo * DAY_MS)
    const day = beijing(2).toISOString().slice(0, 10)
    const yesterday = beijing(1).toISOString().slice(0, 10)
    // A payment only the gateway knows: the day cannot balance, and the reason names it.
    await sandbox('/_sim/statements', [
      {
        merchant: 'demo-alipay',
        date: day,
        lines: [{ kind: 'pay', orderNo: 'E2E-BILL-ONLY-1', amount: 3580, time: `${day} 10:00:00` }],
      },
    ])

    await go('statements')
    await expect
      .poll(() => screen('statements').locator('[data-test="cal-merchant"]').innerText())
      .toContain('demo-alipay')
    // The sandbox reconciled yesterday as it opened (services/demo.ts), whatever the hour: the
    // calendar opens on its month with the day unbalanced, the number of differences on it.
    const yesterdayCell = page.locator(`[data-test="day-${yesterday}"]`)
    await expect
      .poll(() => yesterdayCell.getAttribute('class'), { timeout: 30_000 })
      .toContain('cell--unbalanced')
    await shot(page, '29-statements-yesterday')
    if (day.slice(0, 7) !== yesterday.slice(0, 7)) await page.locator('[data-test="prev-month"]').click()
    const cell = page.locator(`[data-test="day-${day}"]`)
    await expect.poll(() => cell.getAttribute('class')).toContain('cell--not_reconciled')
    await shot(page, '30-statements-calendar')

    // A past day without a statement opens 开始对账 on that day.
    await cell.click()
    const dialog = page.locator('.n-modal').last()
    await expect.poll(() => dialog.locator('[data-test="rec-date"] input').inputValue()).toBe(day)
    await shot(page, '31-statements-start')
    await dialog.locator('[data-test="rec-start"]').click()
    const result = dialog.locator('[data-test="rec-result"]')
    await result.waitFor({ timeout: 60_000 })
    await expect.poll(() => result.innerText()).toContain('不平')
    await shot(page, '32-statements-run')

    await dialog.locator('[data-test="rec-open"]').click()
    const drawer = page.locator('.n-drawer').last()
    const diffRow = drawer.locator('[data-test="diffs"] .n-data-table-tbody .n-data-table-tr', {
      hasText: 'E2E-BILL-ONLY-1',
    })
    await diffRow.waitFor({ timeout: 15_000 })
    expect(await diffRow.innerText()).toContain('通道有、本地无')
    await shot(page, '33-statement-diffs')

    await drawer.locator('.n-tabs-tab', { hasText: '概要' }).click()
    await drawer.locator('[data-test="sides"]').waitFor()
    expect(await drawer.locator('[data-test="integrity"]').innerText()).toContain('账单自检通过')
    await shot(page, '34-statement-summary')

    await drawer.locator('.n-tabs-tab', { hasText: '通道明细' }).click()
    const lineRow = drawer.locator('[data-test="lines"] .n-data-table-tbody .n-data-table-tr', {
      hasText: 'E2E-BILL-ONLY-1',
    })
    await lineRow.waitFor()
    await lineRow.locator('button.cell-link').click()
    await expect.poll(() => page.locator('[data-test="raw-line"]').innerText()).toContain('E2E-BILL-ONLY-1')
    await shot(page, '35-statement-raw-line')
    await page.keyboard.press('Escape')
    await page.locator('[data-test="raw-line"]').waitFor({ state: 'detached' })
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })

    // The calendar took the day's result; the list has the statement.
    await expect.poll(() => cell.getAttribute('class')).toContain('cell--unbalanced')
    await page.locator('[data-test="view-list"]').click()
    const listRow = screen('statements').locator('.n-data-table-tbody .n-data-table-tr', { hasText: day })
    await listRow.first().waitFor()
    expect(await listRow.first().innerText()).toContain('demo-alipay')
    await shot(page, '36-statements-list')

    // English, and dark.
    await page.locator('[data-test="lang"]').click()
    await expect.poll(() => screen('statements').innerText()).toContain('Bill date')
    await shot(page, '37-statements-list-english')
    await page.locator('[data-test="theme"]').click()
    await expect.poll(() => page.evaluate('document.documentElement.style.colorScheme')).toBe('dark')
    await page.locator('[data-test="view-calendar"]').click()
    await cell.waitFor()
    await shot(page, '38-statements-calendar-dark')
    await cell.click()
    await drawer.locator('[data-test="diffs"]').waitFor()
    await expect.poll(() => drawer.innerText()).toContain('In the bill, not here')
    await shot(page, '39-statement-english-dark')
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })
    await page.locator('[data-test="theme"]').click()
    await page.locator('[data-test="lang"]').click()
    await expect.poll(() => screen('statements').innerText()).toContain('开始对账')

    // The orders say which statement confirmed them; the overview counts the month's unbalanced days.
    await go('orders')
    await expect.poll(() => screen('orders').innerText(), { timeout: 15_000 }).toContain('对账')
    await go('overview')
    await page.locator('[data-test="figure-unbalanced"]').waitFor()
  })

  it('adds a merchant profile, and no secret ever reaches the page', async () => {
    await go('merchants')
    await expect.poll(() => screen('merchants').innerText()).toContain('demo-alipay')
    await shot(page, '12-merchants')
    const secret =
      fs.readFileSync(path.resolve('node_modules/alipay-sdk/package.json'), 'utf8').length > 0
        ? 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ-E2E-SECRET-MARKER'
        : ''
    const { generateKeyPairSync } = await import('node:crypto')
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
    const privateLine = keys.privateKey.split('\n')[5]!
    void secret
    await page.locator('[data-test="add"]').click()
    await page.locator('[data-test="save"]').waitFor()
    const field = (k: string) =>
      page
        .locator(
          `[data-test="field-${k}"] input, [data-test="field-${k}"] textarea, input[data-test="field-${k}"], textarea[data-test="field-${k}"]`,
        )
        .first()
    await field('name').fill('e2e-alipay')
    await field('endpoint').fill('https://openapi.alipay.com/gateway.do')
    await field('appId').fill('2021000122671080')
    await field('alipayPublicKey').fill(keys.publicKey)
    await page
      .locator(
        '[data-test="secret-appPrivateKey"] textarea, [data-test="secret-appPrivateKey"] input, textarea[data-test="secret-appPrivateKey"]',
      )
      .first()
      .fill(keys.privateKey)
    await shot(page, '13-merchant-form')
    await page.locator('[data-test="save"]').click()
    // Saved: the form has gone and the list, read again, has the new profile.
    await page.locator('[data-test="save"]').waitFor({ state: 'detached', timeout: 15_000 })
    await expect.poll(() => screen('merchants').innerText(), { timeout: 15_000 }).toContain('e2e-alipay')
    const html = await page.content()
    expect(html).not.toContain(privateLine)
    for (const body of apiBodies) expect(body).not.toContain(privateLine)
    await shot(page, '14-merchants-after')

    // Moving the profile to another host asks for its secrets again, before anything is saved.
    await screen('merchants')
      .locator('.n-data-table-tr', { hasText: 'e2e-alipay' })
      .getByRole('button', { name: '编辑' })
      .click()
    await page.locator('[data-test="save"]').waitFor()
    await field('endpoint').fill('https://openapi-sandbox.dl.alipaydev.com/gateway.do')
    const rebind = page.locator('[data-test="rebind"]')
    await expect.poll(() => rebind.innerText()).toContain('请重新填写应用私钥')
    await rebind.scrollIntoViewIfNeeded()
    await shot(page, '14b-merchant-rebind')
    await page.locator('[data-test="save"]').click()
    await expect
      .poll(() => page.locator('[data-test="field-appPrivateKey"]').innerText())
      .toContain('须重新填写')
    await page.getByRole('button', { name: '取消' }).last().click()
    await page.locator('[data-test="save"]').waitFor({ state: 'detached', timeout: 15_000 })
  })

  it('the first merchant of the person’s own takes the window to the books, with nothing of the demo', async () => {
    // The profile went into the books and the sandbox ended: the window says so and shows the books.
    await expect.poll(() => page.locator('body').innerText()).toContain('已切换到你的账本')
    await expect.poll(() => page.locator('[data-test="sandbox-notice"]').count()).toBe(0)
    expect(await screen('merchants').innerText()).not.toMatch(/demo-/)
    for (const route of ['orders', 'records', 'anomalies']) {
      await go(route)
      await expect.poll(() => screen(route).innerText()).not.toMatch(/DEMO-|E2E-|demo-/)
    }
    await go('overview')
    await expect.poll(() => screen('overview').innerText()).toContain('e2e-alipay')
    expect(await screen('overview').innerText()).not.toMatch(/demo-/)
    await expect.poll(() => page.locator('.n-message').count(), { timeout: 20_000 }).toBe(0)
    await shot(page, '14b-overview-books')
  })

  it('the audit log names who did what, and how', async () => {
    await go('audit')
    const rows = page.locator('.n-data-table-tbody .n-data-table-tr')
    await rows.first().waitFor()
    await expect.poll(() => screen('audit').innerText()).toContain('添加商户配置')
    // Browser mode: every row of this run came through it.
    await expect.poll(() => rows.first().innerText()).toContain('浏览器')
    await shot(page, '18-audit')
  })

  it('settings and the English switch', async () => {
    await go('settings')
    // This run was started with --no-schedules: the page says so beside the switch.
    await expect.poll(() => page.locator('[data-test="schedules-off"]').count()).toBe(1)
    await shot(page, '15-settings')
    // Browser mode keeps the secrets under the key file alone: command-line access is on and cannot go.
    const headless = page.locator('[data-test="headless"]')
    await headless.scrollIntoViewIfNeeded()
    await expect.poll(() => headless.getAttribute('class')).toContain('n-switch--active')
    await headless.click()
    await expect.poll(() => page.locator('.n-message').last().innerText()).toMatch(/唯一保护/)
    await expect.poll(() => headless.getAttribute('class')).toContain('n-switch--active')
    await shot(page, '15b-settings-about')

    await page.getByText('English', { exact: true }).first().click()
    await go('records')
    await expect.poll(() => page.locator('body').innerText()).toContain('Sync records')
    // Every menu entry follows, the batch entry too (it redraws itself for its running count).
    await expect.poll(() => page.locator('.n-menu').innerText()).toContain('Batch sync')
    expect(await page.locator('.n-menu').innerText()).not.toMatch(/[\u4e00-\u9fff]/)
    await shot(page, '16-records-english')

    await go('audit')
    await expect.poll(() => screen('audit').innerText()).toContain('Merchant added')
    await shot(page, '18b-audit-english')
    await page.locator('[data-test="theme"]').click()
    await expect.poll(() => page.evaluate('document.documentElement.style.colorScheme')).toBe('dark')
    await shot(page, '18c-audit-dark')
    // The books now, not the sandbox: their repair list, with its who-and-how columns, in the dark.
    await go('repairs')
    await screen('repairs').locator('.n-data-table').first().waitFor()
    await shot(page, '18d-repairs-dark')
    await page.locator('[data-test="theme"]').click()
  })

  // Last, so it sees every step above: Vue's errors and warnings mean a screen is half patched.
  it('logged no error in the page on the way', () => {
    expect(pageErrors).toEqual([])
  })
})
