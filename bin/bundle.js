// Runs a TypeScript entry of this package as one bundled ES module, built on first use and again
// whenever a source file is newer than the bundle. A bundle starts in a fraction of the time tsx
// needs and runs without a module-loader hook in the way; tsx remains the fallback.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function newestSource(dirs) {
  let newest = 0
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(p)
      else if (/\.(ts|js|json)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs)
    }
  }
  for (const d of dirs) if (fs.existsSync(d)) walk(d)
  // This file too: a bundle made another way is rebuilt.
  const self = fs.statSync(fileURLToPath(import.meta.url)).mtimeMs
  return Math.max(newest, self, fs.statSync(path.join(ROOT, 'package.json')).mtimeMs)
}

/**
 * `workers` are further entries bundled beside the main one, each under its own name: worker threads
 * the entry starts from the file beside its own (the import worker, src/main/files/import/worker-host.ts).
 *
 * One build with code splitting: what a command imports with `await import()` (and the packages only
 * it needs, such as exceljs or axios) lands in a chunk of its own that loads when the command runs,
 * so `paysync --help` does not pay for the engine (docs/cli.md section 1). Chunks are named by their
 * content and written before the entries, each entry last and by rename: a process starting meanwhile
 * runs either the old entry with its old chunks or the new one with all of its own.
 */
/**
 * Packages bundled in rather than loaded from node_modules: zod is close to a hundred small ES modules,
 * and Node resolves and links each one on every start (two thirds of a list command's time, measured
 * with --cpu-prof); bundled, it is one parse, and only the parts used. commander is every command's
 * first import: loaded from node_modules, it is CommonJS that Node resolves, reads, wraps and scans for
 * its exports before `paysync --help` can print a line. Every other package stays outside.
 */
const BUNDLED = new Set(['zod', 'commander'])

/**
 * A bundled CommonJS package (commander) requires Node's own modules; an ES module has no `require`,
 * and esbuild's stand-in throws unless one is in scope. Each output file gets its own.
 */
const REQUIRE_BANNER =
  "import { createRequire as __paysyncCreateRequire } from 'node:module'; const require = __paysyncCreateRequire(import.meta.url);"

function externalPackages() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies })
  return names.filter((name) => !BUNDLED.has(name))
}

/**
 * Chunks no build has written for a day go. Not sooner: a `paysync serve` started before a rebuild
 * still imports its own chunks lazily when a command first needs them, and every build rewrites the
 * chunks it uses, so only abandoned ones age. Without this, out/node grows with every rebuild.
 */
const CHUNK_MAX_AGE_MS = 24 * 60 * 60 * 1000

export function sweepOldChunks(dir, current, now = Date.now()) {
  for (const name of fs.readdirSync(dir)) {
    if (!/^chunk-[A-Z0-9]+\.mjs(\.map)?$/.test(name)) continue
    const p = path.join(dir, name)
    try {
      if (!current.has(p) && now - fs.statSync(p).mtimeMs > CHUNK_MAX_AGE_MS) fs.unlinkSync(p)
    } catch {
      // Another process swept it first; nothing to do.
    }
  }
}

export async function runBundled(entry, outName, sourceDirs, workers = {}) {
  const dir = path.join(ROOT, 'out', 'node')
  const out = path.join(dir, `${outName}.mjs`)
  const entries = { [outName]: entry, ...workers }
  try {
    const newest = newestSource(sourceDirs.map((d) => path.join(ROOT, d)))
    const stale = Object.keys(entries).some((name) => {
      const to = path.join(dir, `${name}.mjs`)
      return !fs.existsSync(to) || fs.statSync(to).mtimeMs < newest
    })
    if (stale) {
      const { build } = await import('esbuild')
      const result = await build({
        entryPoints: Object.fromEntries(
          Object.entries(entries).map(([name, e]) => [name, path.join(ROOT, e)]),
        ),
        outdir: dir,
        outExtension: { '.js': '.mjs' },
        chunkNames: 'chunk-[hash]',
        write: false,
        bundle: true,
        splitting: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        external: externalPackages(),
        sourcemap: 'linked',
        banner: { js: REQUIRE_BANNER },
        logLevel: 'warning',
      })
      fs.mkdirSync(dir, { recursive: true })
      const isEntry = (f) => Object.keys(entries).some((name) => f.path === path.join(dir, `${name}.mjs`))
      const files = [...result.outputFiles.filter((f) => !isEntry(f)), ...result.outputFiles.filter(isEntry)]
      for (const f of files) {
        // Written beside and renamed, so two processes starting at once never run a half-written file.
        const tmp = `${f.path}.${process.pid}.tmp.mjs`
        fs.writeFileSync(tmp, f.contents)
        fs.renameSync(tmp, f.path)
      }
      sweepOldChunks(dir, new Set(result.outputFiles.map((f) => f.path)))
    }
  } catch (err) {
    process.stderr.write(`(running from sources: ${err.message})\n`)
    const { register } = await import('tsx/esm/api')
    register()
    return import(pathToFileURL(path.join(ROOT, entry)).href)
  }
  return import(pathToFileURL(out).href)
}
