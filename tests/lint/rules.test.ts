import { ESLint } from 'eslint'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

describe('the rules that need types', () => {
  const TYPED = [
    '@typescript-eslint/no-floating-promises',
    '@typescript-eslint/no-misused-promises',
    '@typescript-eslint/switch-exhaustiveness-check',
  ]

  // Read from the configuration, not by linting: running them needs the whole program built.
  it.each([
    'src/main/engine/batch-runner.ts',
    'src/main/store/orders/list.ts',
    'src/shared/domain.ts',
    'src/preload/index.ts',
  ])('are errors in %s, with the program to run them', async (file) => {
    const config = await new ESLint({ cwd: ROOT }).calculateConfigForFile(path.join(ROOT, file))
    for (const rule of TYPED) expect(config.rules[rule]?.[0], rule).toBe(2)
    expect(config.languageOptions.parserOptions.project).toBe('./tsconfig.node.json')
  })
})

describe('screens', () => {
  it('a script that is not TypeScript is refused', async () => {
    const eslint = new ESLint({ cwd: ROOT, ruleFilter: ({ ruleId }) => ruleId === 'vue/block-lang' })
    const lint = async (open: string) => {
      const sfc = `${open}\nconst y = 1\n</script>\n<template><div>{{ y }}</div></template>\n`
      const [result] = await eslint.lintText(sfc, {
        filePath: path.join(ROOT, 'src/renderer/src/views/X.vue'),
      })
      return result!.messages.map((m) => m.ruleId)
    }
    expect(await lint('<script setup lang="ts">')).toEqual([])
    expect(await lint('<script setup>')).toEqual(['vue/block-lang'])
    expect(await lint('<script setup lang="js">')).toEqual(['vue/block-lang'])
  })
})
