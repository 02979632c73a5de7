import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorld, type World } from '../helpers/world'
import { browser, inCI, missing, serve, shot, type ServedApp } from './app'

// Issue 15 item 3 on one computer: two `paysync serve` on one SQLite file, as the app and a second
// window (or a cron) on the same books. A batch run through one moves in the other's window, with no
// refresh: the batch screen's history finds it, its card counts it to the end, the menu counts the
// anomalies it opened; a list the person scrolled down keeps its rows and offers the new ones
// (docs/team-mode.md B8.5, docs/screens.md section 1). Photographed in Chinese and English.

const ready = missing.length === 0
if (!ready && inCI) throw new Error(`the browser tests cannot run in CI: ${missing.join('; ')}`)

const ORDERS = 30
/** Orders whose gateway amount differs: each opens an anomaly (docs/domain.md section 4). */
const MISMATCHED = 3

let world: World
let dbFile: string
let window: ServedApp
let other: ServedApp
let b: Browser
let page: Page
const ids: number[] = []
const pageErrors: string[] = []

/** Calls the other `paysync serve`, as a script does, with its run's token. */
async function callOther<T>(name: string, input: unknown): Promise<T> {
  const res = await fetch(`${other.url}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${other.token}` },
    body: JSON.stringify(input),
  })
  const body = (await res.json()) as { ok: boolean; value: T; error?: unknown }
  if (!body.ok) throw new Error(`${name}: ${JSON.stringify(body.error)}`)
  return body.value
}

const screen = (route: string) => page.locator(`[data-screen="${route}"]`)
const go = async (route: string) => {
  await page.evaluate(`location.hash = '#/${route}'`)
  await page.waitForURL((u) => u.hash === `#/${route}`)
  await screen(route).waitFor()
}

beforeAll(async () => {
  if (!ready) return
  // The books: a merchant on the simulator (kept running in this process) and orders waiting to sync.
  world = await createWorld()
  dbFile = world.dbFile
  for (let i = 1; i <= ORDERS; i++) {
    const no = `LIVE${String(i).padStart(3, '0')}`
    world.gatewayOrder({
      merchant: 'ali',
      orderNo: no,
      amount: i <= MISMATCHED ? 999 : 1000,
      state: 'TRADE_SUCCESS',
    })
    ids.push(world.payOrder({ merchant: 'ali', orderNo: no, amount: 1000 }))
  }
  // The gateway is this process's: each answer a second late until the window has been seen to
  // follow the batch, so no part of the test races the batch's end.
  world.sim.state.faults.latencyMs = 1_000
  await world.ctx.close()
  window = await serve(dbFile)
  other = await serve(dbFile)
  b = await browser()
  const context = await b.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  page = await context.newPage()
  page.on('pageerror', (e) => pageErrors.push(`${e.message}\n${e.stack ?? ''}`))
  page.on('console', (m) => {
    if (m.type() === 'error' || (m.type() === 'warning' && m.text().includes('[Vue warn]')))
      pageErrors.push(`${m.type()}: ${m.text()}`)
  })
  await page.goto(window.open)
  // Signed in and the first screen up: a move made before the router's first one would be undone.
  await screen('overview').waitFor()
})

afterAll(async () => {
  await b?.close()
  window?.stop()
  other?.stop()
  await world?.sim.close()
  if (world) fs.rmSync(path.dirname(dbFile), { recursive: true, force: true })
})

describe.skipIf(!ready)('two paysync serve on one file', () => {
  it('a batch run by one moves in the window of the other, to its end', async () => {
    await go('batch')
    await expect.poll(() => screen('batch').innerText()).toContain('还没有批次')

    const started = await callOther<{ id: number }>('batches.start', {
      name: '另一进程的批次',
      ids,
      concurrency: 1,
      qps: 10,
    })
    // The history finds it without a refresh; opened, its card counts as the other process goes.
    const row = page.locator('.n-data-table-tr', { hasText: '另一进程的批次' })
    await row.waitFor({ timeout: 15_000 })
    await row.click()
    const done = page.locator('[data-test="current"] [data-test="done"]')
    const count = async () => Number(/已完成 (\d+)/.exec(await done.innerText())?.[1] ?? -1)
    await expect.poll(count, { timeout: 15_000 }).toBeGreaterThan(0)
    const first = await count()
    await expect.poll(count, { timeout: 15_000 }).toBeGreaterThan(first)
    expect(await count()).toBeLessThan(ORDERS)
    expect(await page.locator('[data-test="current"] [data-test="status"]').innerText()).toBe('进行中')
    expect(await page.locator('[data-test="other-batch"]').innerText()).toBe(
      '另一个 PaySync 进程正在运行此批次',
    )
    await shot(page, 'live-01-batch-of-another-process')
    await page.locator('[data-test="lang"]').click()
    await expect
      .poll(() => page.locator('[data-test="other-batch"]').innerText())
      .toBe('Another PaySync process runs this batch')
    await shot(page, 'live-02-batch-of-another-process-en')
    await page.locator('[data-test="lang"]').click()

    // The gateway answers at once from now on: the rest of the batch, to its end.
    world.sim.state.faults.latencyMs = 0
    await expect
      .poll(() => page.locator('[data-test="current"] [data-test="status"]').innerText(), { timeout: 60_000 })
      .toBe('已完成')
    expect(await done.innerText()).toBe(`已完成 ${ORDERS} / ${ORDERS}`)
    expect(await page.locator('[data-test="other-batch"]').count()).toBe(0)
    // The anomalies its mismatched orders opened are counted in the menu.
    await expect
      .poll(() => page.locator('[data-test="menu-open-anomalies"]').getAttribute('data-count'))
      .toBe(String(MISMATCHED))
    await shot(page, 'live-03-batch-done-menu-anomalies')
    expect(started.id).toBeGreaterThan(0)
  })

  it('a list scrolled down keeps its rows and offers the new ones; at its top it reads them', async () => {
    await go('records')
    const totals = page.locator('[data-screen="records"] [data-test="list-totals"]')
    await expect.poll(() => totals.innerText()).toContain(`共 ${ORDERS} 条`)
    // Scrolled down the rows: the next records the other process writes are offered, not shown.
    await page.evaluate(
      `for (const el of document.querySelectorAll('[data-screen="records"] .n-data-table-base-table-body, [data-screen="records"] .n-scrollbar-container')) el.scrollTop = 400`,
    )
    await callOther('orders.sync', { type: 'pay', ids: ids.slice(0, 2) })
    const bar = page.locator('[data-test="new-rows"]')
    await expect.poll(() => bar.innerText(), { timeout: 15_000 }).toMatch(/有 2 条新同步记录\s*·\s*刷新/)
    expect(await totals.innerText()).toContain(`共 ${ORDERS} 条`)
    await shot(page, 'live-04-records-new-rows-bar')
    await page.locator('[data-test="lang"]').click()
    await expect.poll(() => bar.innerText()).toMatch(/2 new sync records\s*·\s*Refresh/)
    await shot(page, 'live-05-records-new-rows-bar-en')
    await page.locator('[data-test="lang"]').click()
    await page.locator('[data-test="theme"]').click()
    await shot(page, 'live-06-records-new-rows-bar-dark')
    await page.locator('[data-test="theme"]').click()

    await page.locator('[data-test="new-rows-refresh"]').click()
    await expect.poll(() => totals.innerText()).toContain(`共 ${ORDERS + 2} 条`)
    expect(await bar.count()).toBe(0)

    // At the top of the first page: the next ones come in quietly.
    await callOther('orders.sync', { type: 'pay', ids: ids.slice(2, 3) })
    await expect.poll(() => totals.innerText(), { timeout: 15_000 }).toContain(`共 ${ORDERS + 3} 条`)
    expect(await bar.count()).toBe(0)
  })

  it('logged no error and no Vue warning', () => {
    expect(pageErrors).toEqual([])
  })
})
