import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import vue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'

// For one file, the last block that sets `no-restricted-imports` wins whole: its options replace the
// earlier ones, they do not add up. So every block below that restricts imports under src/main repeats
// the Electron rule, and tests/lint/layers.test.ts proves each rule still fires where it should.
const ELECTRON_ONLY_IN_APP = {
  name: 'electron',
  message: 'only src/main/app and src/preload import electron',
}

/**
 * The folders of src/main that `folder` may not import, and why. A relative import reaches another
 * folder of main by climbing out of its own (`../engine/sync`, `../../store/orders`, or the long way
 * round through `main/`), so the pattern is: nothing but `../` steps, then the forbidden folder.
 */
function mainLayer(folder, forbidden, why) {
  return {
    files: [`src/main/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON_ONLY_IN_APP],
          patterns: [
            {
              regex: `^(\\.\\./)+(main/)?(${forbidden.join('|')})(/|$)`,
              message: `src/main/${folder} may not import ${forbidden.join(', ')}: ${why}`,
            },
          ],
        },
      ],
    },
  }
}

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
    rules: {
      // vue-tsc checks only a script that says it is TypeScript; a plain <script> would pass unchecked.
      'vue/block-lang': ['error', { script: { lang: 'ts' } }],
    },
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
    // Rules that need the types, where a lost promise or a missed case costs most: main, shared and
    // the preload. An un-awaited promise drops its error (and, in a batch, the order of writes); an
    // async callback where a plain one is expected runs unwatched; a switch over a union that misses
    // a member does nothing for it, without a word, once the union grows. One program (tsconfig.node.json) serves
    // all three folders, which keeps the type-aware pass to one build of it.
    files: ['src/main/**/*.ts', 'src/shared/**/*.ts', 'src/preload/**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.node.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A switch without a default must name every member; writing `default:` is the explicit way to say
      // "the rest falls through on purpose" (as the command line's sentence for a zod issue does).
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
    },
  },
  {
    // Layers: only the Electron shell and the preload may touch Electron; nothing below main/app
    // imports it, so the engine, store, gateways, files and services all run under plain Node.
    files: ['src/main/**/*.ts', 'src/shared/**/*.ts', 'src/renderer/**/*.{ts,vue}'],
    ignores: ['src/main/app/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [ELECTRON_ONLY_IN_APP] }],
    },
  },
  // Main's own layers, bottom up (ARCHITECTURE.md): store and gateways at the bottom, files and the
  // engine on the store, services on everything, the hosts (app, server) on services.
  mainLayer(
    'store',
    ['engine', 'gateways', 'services', 'files', 'app', 'server'],
    'the store is the bottom layer, SQL over the tables that every layer above calls, and knows none of its callers',
  ),
  mainLayer(
    'gateways',
    ['store', 'engine', 'services', 'files', 'app', 'server'],
    'an adapter only turns a question into a signed request and an answer into a reading; it keeps no ' +
      'state, so it is tested against the simulator alone',
  ),
  mainLayer(
    'engine',
    ['services', 'files', 'app', 'server'],
    'the engine decides with the gateways and writes through the store; the operations above drive it, ' +
      'and files, transports and the shell are theirs',
  ),
  mainLayer(
    'files',
    ['engine', 'gateways', 'services', 'app', 'server'],
    'import and export move rows between files and the store; they never ask a gateway or decide a ' +
      "trade's state, so an import cannot start a sync",
  ),
  mainLayer(
    'services',
    ['app', 'server'],
    'the operations are the same for the window, the HTTP door and the command line; they know no ' +
      'transport, so each host stays a thin adapter',
  ),
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
