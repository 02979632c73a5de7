import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import vue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      '.electron-native/**',
      'test-results/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: {
      // TypeScript checks names; no-undef only misfires on DOM and Node types.
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    // Layers: only the Electron shell and the preload may touch Electron; nothing below main/app
    // imports it, so the engine, store, gateways, files and services all run under plain Node.
    files: ['src/main/**/*.ts', 'src/shared/**/*.ts', 'src/renderer/**/*.{ts,vue}'],
    ignores: ['src/main/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'only src/main/app and src/preload import electron' }] },
      ],
    },
  },
  {
    // The screens know the contract and nothing of main.
    files: ['src/renderer/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'the renderer talks to main through the contract only' }],
          patterns: [{ group: ['**/main/**', 'node:*'], message: 'the renderer imports only src/shared' }],
        },
      ],
    },
  },
  {
    // shared is imported by every side: no Node, no Electron.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', '**/main/**', '**/renderer/**', 'electron'],
              message: 'src/shared stays pure',
            },
          ],
        },
      ],
    },
  },
  {
    // Links leave the app only through the one checked helper.
    files: ['src/main/app/**/*.ts'],
    ignores: ['src/main/app/external.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='openExternal']", message: 'use openExternalSafely' },
      ],
    },
  },
  prettier,
)
