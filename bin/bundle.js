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
  return Math.max(newest, fs.statSync(path.join(ROOT, 'package.json')).mtimeMs)
}

/**
 * `workers` are further entries bundled beside the main one, each under its own name: worker threads
 * the entry starts from the file beside its own (the import worker, src/main/files/import/worker-host.ts).
 */
export async function runBundled(entry, outName, sourceDirs, workers = {}) {
  const dir = path.join(ROOT, 'out', 'node')
  const out = path.join(dir, `${outName}.mjs`)
  const entries = [
    [entry, out],
    ...Object.entries(workers).map(([name, e]) => [e, path.join(dir, `${name}.mjs`)]),
  ]
  try {
    const newest = newestSource(sourceDirs.map((d) => path.join(ROOT, d)))
    for (const [from, to] of entries) {
      if (fs.existsSync(to) && fs.statSync(to).mtimeMs >= newest) continue
      const { build } = await import('esbuild')
      // Written beside and renamed, so two processes starting at once never run a half-written file.
      const tmp = `${to}.${process.pid}.tmp.mjs`
      await build({
        entryPoints: [path.join(ROOT, from)],
        outfile: tmp,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        sourcemap: 'inline',
        logLevel: 'warning',
      })
      fs.renameSync(tmp, to)
    }
  } catch (err) {
    process.stderr.write(`(running from sources: ${err.message})\n`)
    const { register } = await import('tsx/esm/api')
    register()
    return import(pathToFileURL(path.join(ROOT, entry)).href)
  }
  return import(pathToFileURL(out).href)
}
