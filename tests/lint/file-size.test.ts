import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Files with one job (issue 11): no source file over 400 lines. A file that grows past it holds a
// second job, which wants a file of its own named for it (CONTRIBUTING.md, Style).

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const SRC = path.join(ROOT, 'src')
const MAX_LINES = 400

/** Dictionaries of texts: long because the product says many things, one entry a line or three. */
const DICTIONARIES = ['renderer/src/i18n/zh.ts', 'renderer/src/i18n/en.ts', 'shared/messages.ts']

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    if (e.isDirectory()) return sources(full)
    return /\.(ts|vue)$/.test(e.name) ? [full] : []
  })
}

/** Lines as an editor numbers them: a last line without its newline counts too. */
function lineCount(text: string): number {
  if (text === '') return 0
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
}

describe('file size', () => {
  const files = sources(SRC).map((f) => path.relative(SRC, f).split(path.sep).join('/'))

  it('reads the sources it rules on', () => {
    expect(files).toContain('shared/domain.ts')
    expect(files).toContain('renderer/src/views/SettingsView.vue')
    expect(lineCount('a\nb\n')).toBe(2)
    expect(lineCount('a\nb')).toBe(2)
  })

  it(`no file in src/ is over ${MAX_LINES} lines, but the dictionaries`, () => {
    const over = files
      .filter((f) => !DICTIONARIES.includes(f))
      .map((f) => ({ f, n: lineCount(fs.readFileSync(path.join(SRC, f), 'utf8')) }))
      .filter(({ n }) => n > MAX_LINES)
      .map(
        ({ f, n }) =>
          `src/${f} has ${n} lines (at most ${MAX_LINES}): split it into files named for their jobs`,
      )
    expect(over).toEqual([])
  })

  it('exempts only files that exist', () => {
    for (const f of DICTIONARIES)
      expect(files, `src/${f} is exempt but gone: take it off the list`).toContain(f)
  })
})
