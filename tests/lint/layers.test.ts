import { ESLint } from 'eslint'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

// The import rules of eslint.config.js, run on snippets that exist only here. In flat config the last
// block that sets `no-restricted-imports` for a file replaces the others, so a rule can vanish without
// a word when a new block is added; these cases notice.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

let eslint: ESLint

beforeAll(() => {
  eslint = new ESLint({
    cwd: ROOT,
    // Only the import rules: the type-aware rules would build a whole program for a file that is not
    // on disk, and have nothing to say about an import line anyway.
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
    overrideConfig: { languageOptions: { parserOptions: { project: null, projectService: false } } },
  })
})

/**
 * What no-restricted-imports says of `code` as if it were the file at `file`: the reason each rule
 * gives, without ESLint's own "'x' import is restricted from being used" in front.
 */
async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) })
  expect(result!.messages.filter((m) => m.fatal)).toEqual([])
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message.replace(/^.* is restricted from being used(?: by a pattern)?\. /, ''))
}

const LAYERS: Record<string, { file: string; forbidden: string[]; allowed: string[] }> = {
  store: {
    file: 'src/main/store/orders.ts',
    forbidden: ['engine', 'gateways', 'services', 'files', 'app', 'server'],
    allowed: ['./connection', '../../shared/domain', './migrations'],
  },
  gateways: {
    file: 'src/main/gateways/alipay/adapter.ts',
    forbidden: ['store', 'engine', 'services', 'files', 'app', 'server'],
    allowed: ['../http', '../types', '../simulator/server', '../../../shared/money'],
  },
  engine: {
    file: 'src/main/engine/sync.ts',
    forbidden: ['services', 'files', 'app', 'server'],
    allowed: ['../store/orders', '../gateways/types', './decide-pay', '../../shared/domain'],
  },
  files: {
    file: 'src/main/files/import/importer.ts',
    forbidden: ['engine', 'gateways', 'services', 'app', 'server'],
    allowed: ['../../store/connection', '../export/csv', './rows', '../../../shared/money'],
  },
  services: {
    file: 'src/main/services/sync.ts',
    forbidden: ['app', 'server'],
    allowed: ['../engine/sync', '../store/orders', '../gateways/registry', '../files/export/csv'],
  },
}

/** The relative path from `file` to `src/main/<folder>/x`, as the file would write it. */
function into(file: string, folder: string): string {
  const rel = path.posix.relative(path.posix.dirname(file), `src/main/${folder}/x`)
  return rel.startsWith('.') ? rel : `./${rel}`
}

describe("main's own layers", () => {
  for (const [layer, { file, forbidden, allowed }] of Object.entries(LAYERS)) {
    it.each(forbidden)(`${layer} may not import %s`, async (folder) => {
      const target = into(file, folder)
      expect(target).toMatch(/^\.\.\//)
      const messages = await restricted(file, `import { x } from '${target}'\nexport const y = x\n`)
      expect(messages).toHaveLength(1)
      expect(messages[0]).toContain(`src/main/${layer} may not import`)
      // A type is an import too: the layer would still know the folder above it.
      expect(await restricted(file, `import type { X } from '${target}'\nexport type Y = X\n`)).toHaveLength(
        1,
      )
      // Re-exporting goes through the same door.
      expect(await restricted(file, `export { x } from '${target}'\n`)).toHaveLength(1)
    })

    it(`${layer} imports what lies below it`, async () => {
      for (const target of allowed) {
        expect(await restricted(file, `import { x } from '${target}'\nexport const y = x\n`), target).toEqual(
          [],
        )
      }
    })

    it(`${layer} still may not import electron`, async () => {
      const messages = await restricted(file, `import { app } from 'electron'\nexport const y = app\n`)
      expect(messages).toEqual(['only src/main/app and src/preload import electron'])
    })
  }

  it('the long way round through main/ is the same import', async () => {
    const messages = await restricted(
      'src/main/store/orders.ts',
      `import { x } from '../../main/engine/sync'\nexport const y = x\n`,
    )
    expect(messages).toHaveLength(1)
  })

  it('a folder of the same name inside a layer is not another layer', async () => {
    // gateways/simulator/server.ts is the simulator's HTTP server, not src/main/server.
    const file = 'src/main/gateways/simulator/unionpay.ts'
    expect(await restricted(file, `import { x } from './server'\nexport const y = x\n`)).toEqual([])
  })
})

describe('the boundaries around main', () => {
  it('only src/main/app imports electron', async () => {
    const code = `import { app } from 'electron'\nexport const y = app\n`
    expect(await restricted('src/main/app/window.ts', code)).toEqual([])
    expect(await restricted('src/main/server/cli/main.ts', code)).toHaveLength(1)
  })

  it('the renderer imports only src/shared', async () => {
    const file = 'src/renderer/src/views/OrdersView.ts'
    expect(
      await restricted(file, `import { x } from '../../../main/store/orders'\nexport const y = x\n`),
    ).toEqual(['the renderer imports only src/shared'])
    expect(await restricted(file, `import fs from 'node:fs'\nexport const y = fs\n`)).toHaveLength(1)
    expect(
      await restricted(file, `import { ipcRenderer } from 'electron'\nexport const y = ipcRenderer\n`),
    ).toEqual(['the renderer talks to main through the contract only'])
    expect(
      await restricted(file, `import { x } from '../../../shared/domain'\nexport const y = x\n`),
    ).toEqual([])
  })

  it('a screen file is held to the same rule', async () => {
    const sfc = `<script setup lang="ts">\nimport { x } from '../../../main/store/orders'\nconst y = x\n</script>\n<template><div>{{ y }}</div></template>\n`
    expect(await restricted('src/renderer/src/views/OrdersView.vue', sfc)).toEqual([
      'the renderer imports only src/shared',
    ])
  })

  it('src/shared stays pure', async () => {
    const file = 'src/shared/domain.ts'
    for (const target of ['node:fs', '../main/store/orders', '../renderer/src/i18n/zh', 'electron']) {
      expect(await restricted(file, `import { x } from '${target}'\nexport const y = x\n`), target).toEqual([
        'src/shared stays pure',
      ])
    }
    expect(await restricted(file, `import { x } from './money'\nexport const y = x\n`)).toEqual([])
  })
})
