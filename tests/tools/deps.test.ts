import { execFile } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/world'

// `npm run deps` (issue 13, item 11): each runtime dependency with its installed and newest version,
// asked of `npm view` against a registry on loopback that stands in for npm's, so the test neither
// needs nor bothers the real one. A registry that does not answer makes "unknown", not a failure.

const run = promisify(execFile)
const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>
}
const runtime = Object.keys(manifest.dependencies).sort()
const version = (name: string) =>
  (
    JSON.parse(fs.readFileSync(path.join('node_modules', name, 'package.json'), 'utf8')) as {
      version: string
    }
  ).version

let registry: http.Server
let url: string
/** A registry that takes every request and never answers. */
let silent: http.Server
let dir: string
const asked: string[] = []
beforeAll(async () => {
  dir = tempDir()
  registry = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1))
    asked.push(name)
    // zod is at its newest here; every other package has a newer version out; p-queue is not there.
    if (name === 'p-queue') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{}')
    const latest = name === 'zod' ? version('zod') : '99.0.0'
    const body = JSON.stringify({
      name,
      'dist-tags': { latest },
      versions: { [latest]: { name, version: latest, dist: { tarball: `${url}${name}/-/x.tgz` } } },
      time: { [latest]: '2026-01-01T00:00:00.000Z' },
    })
    res.writeHead(200, { 'content-type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`
  silent = http.createServer(() => undefined)
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
})
afterAll(async () => {
  for (const server of [registry, silent]) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  fs.rmSync(dir, { recursive: true, force: true })
})

async function deps(env: Record<string, string>): Promise<{ stdout: string }> {
  return run(process.execPath, ['scripts/deps.mjs', ...(env.JSON ? ['--json'] : [])], {
    env: {
      ...process.env,
      npm_config_registry: url,
      npm_config_cache: path.join(dir, 'npm-cache'),
      npm_config_prefer_online: 'true',
      npm_config_fetch_retries: '0',
      // Generous: a machine under load takes seconds to start each npm.
      PAYSYNC_DEPS_TIMEOUT_MS: '60000',
      ...env,
    },
    timeout: 120_000,
  })
}

describe('npm run deps', () => {
  it('lists every runtime dependency, installed and newest, and "unknown" for what the registry lacks', async () => {
    const { stdout } = await deps({ JSON: '1' })
    const out = JSON.parse(stdout) as {
      dependencies: Array<{ name: string; installed: string; newest: string | null; state: string }>
      audit: string
    }
    expect(out.dependencies.map((d) => d.name)).toEqual(runtime)
    for (const d of out.dependencies) expect(d.installed, d.name).toBe(version(d.name))
    const by = Object.fromEntries(out.dependencies.map((d) => [d.name, d]))
    expect(by.zod).toMatchObject({ newest: version('zod'), state: 'newest' })
    expect(by.axios).toMatchObject({ newest: '99.0.0', state: 'newer available' })
    expect(by['p-queue']).toMatchObject({ newest: null, state: 'unknown' })
    expect(out.audit).toMatch(/npm audit/)
    expect(out.audit).toMatch(/osv-scanner --lockfile=package-lock\.json/)
    expect(asked).toEqual(expect.arrayContaining(runtime))
  }, 120_000)

  it('a registry that does not answer: unknown after the timeout, the table and how to audit printed, exit 0', async () => {
    const started = Date.now()
    const { stdout } = await deps({
      npm_config_registry: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`,
      PAYSYNC_DEPS_TIMEOUT_MS: '3000',
    })
    // Ten questions, four at a time, none waited for longer than its timeout.
    expect(Date.now() - started).toBeLessThan(3 * 3000 + 20_000)
    const lines = stdout.split('\n')
    expect(lines[0]).toMatch(/^DEPENDENCY\s+WANTED\s+INSTALLED\s+NEWEST/)
    for (const name of runtime)
      expect(
        lines.find((l) => l.startsWith(`${name} `)),
        name,
      ).toMatch(/unknown/)
    expect(stdout).toMatch(/the registry did not answer/)
    expect(stdout).toMatch(/npm audit\s+# every dependency, dev ones included/)
  }, 120_000)
})
