import { fileSource } from '../../src/main/files/statement/source'
import { readStatement } from '../../src/main/files/statement/statement'

// Reads one statement file in a process of its own, so that its peak memory is the reader's alone,
// and prints one JSON line: lines, time, status, peak RSS and peak heap. Batches are dropped as they
// come, as the store would take them.

const [file, name, expectedSha1] = process.argv.slice(2)
const t0 = performance.now()
let lines = 0
let heapPeak = 0
const reading = readStatement(fileSource(file!, name), expectedSha1 ? { expectedSha1 } : {})
for await (const batch of reading) {
  lines += batch.length
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)
}
const ms = performance.now() - t0
process.stdout.write(
  `${JSON.stringify({
    lines,
    ms,
    status: reading.result.status,
    refusal: reading.result.refusal?.en ?? null,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapPeakMb: heapPeak / 2 ** 20,
  })}\n`,
)
