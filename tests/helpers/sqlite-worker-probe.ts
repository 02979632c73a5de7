import type { MessagePort } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { startSqliteWorker, type OpenDatabase } from '../../src/main/store/sqlite-worker'

// A worker body with what compilers like to rewrite: named inner functions, an arrow kept in a
// constant, a class, a template literal. Run as a script it prints what the worker answered, so a
// test can run it under another runtime (tsx).

function probeInWorker(open: OpenDatabase, data: { table: string }, port: MessagePort): void {
  const db = open({ readonly: true, fileMustExist: true })
  const count = () => (db.prepare(`SELECT count(*) AS n FROM ${data.table}`).get() as { n: number }).n
  function named(n: number): string {
    return `${n} rows`
  }
  class Answer {
    constructor(readonly text: string) {}
  }
  port.postMessage({ answer: new Answer(named(count())).text, names: [count.name, named.name, Answer.name] })
  db.close()
}

/** What the probe's worker answers for `file`, or what stopped it. */
export function probe(file: string, table: string): Promise<unknown> {
  return new Promise((resolve) => {
    const worker = startSqliteWorker(probeInWorker, file, { table })
    worker.once('message', (m) => {
      resolve(m)
      void worker.terminate()
    })
    // What crosses from the thread is the error's own fields: a SqliteError keeps only its code.
    worker.once('error', (err) => resolve({ failed: { ...err } }))
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(JSON.stringify(await probe(process.argv[2]!, process.argv[3]!)))
}
