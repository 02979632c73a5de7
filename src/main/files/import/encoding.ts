import fs from 'node:fs'

// Which encoding a text file is in, as Chinese finance staff's files come: a BOM first; else strict
// UTF-8 over the whole file; else GB18030 (the superset of GBK that Excel's "CSV" writes on Chinese
// Windows). Statistical guessing is unreliable on short Chinese files, so it is not used.

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030'

export async function detectEncoding(file: string): Promise<TextEncoding> {
  const fd = await fs.promises.open(file, 'r')
  try {
    const head = Buffer.alloc(4)
    const { bytesRead } = await fd.read(head, 0, 4, 0)
    if (bytesRead >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom'
    if (bytesRead >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le'
    if (bytesRead >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be'
  } finally {
    await fd.close()
  }
  const decoder = new TextDecoder('utf-8', { fatal: true })
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      decoder.decode(chunk as Buffer, { stream: true })
    }
    decoder.decode()
    return 'utf-8'
  } catch {
    return 'gb18030'
  }
}
