// Where a JSON text goes wrong, said without quoting it. JSON.parse's own message quotes the text
// around the fault ("Unexpected token 'k', ..."nSecret": kS3cr3tV4l"... is not valid JSON"), and the
// text may be a merchant profile or a request body holding a secret: the command line and the HTTP
// door say only the line and the column this finds. Iterative, so a deeply nested body cannot
// overflow the stack.

export interface TextPosition {
  line: number
  column: number
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const HEX4 = /[0-9a-fA-F]{4}/y

/** Line and column (both from 1, as an editor counts) of an offset. */
function positionOf(text: string, offset: number): TextPosition {
  let line = 1
  let start = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    start = i + 1
  }
  return { line, column: offset - start + 1 }
}

/** The first place `text` stops being JSON, or null when it is JSON. */
export function jsonErrorAt(text: string): TextPosition | null {
  const n = text.length
  let i = 0
  const stack: Array<'{' | '['> = []
  const fail = (): never => {
    throw new SyntaxAt(i)
  }
  const ws = () => {
    while (i < n && WHITESPACE.has(text[i]!)) i++
  }
  const string = () => {
    i++ // the opening quote
    for (;;) {
      if (i >= n) fail()
      const c = text[i]!
      if (c === '"') return void i++
      if (c.charCodeAt(0) < 0x20) fail()
      if (c === '\\') {
        const e = text[i + 1]
        if (e === 'u') {
          HEX4.lastIndex = i + 2
          if (!HEX4.test(text)) return void ((i += 1), fail())
          i += 6
        } else if (e !== undefined && ESCAPES.has(e)) i += 2
        else return void ((i += 1), fail())
      } else i++
    }
  }
  const key = () => {
    ws()
    if (text[i] !== '"') fail()
    string()
    ws()
    if (text[i] !== ':') fail()
    i++
  }
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) fail()
  }
  try {
    for (;;) {
      ws()
      const c = text[i]
      if (c === '{' || c === '[') {
        i++
        ws()
        if (text[i] === (c === '{' ? '}' : ']')) i++
        else {
          stack.push(c)
          if (c === '{') key()
          continue
        }
      } else if (c === '"') string()
      else if (c === 't') literal('true')
      else if (c === 'f') literal('false')
      else if (c === 'n') literal('null')
      else {
        NUMBER.lastIndex = i
        if (!NUMBER.test(text)) fail()
        i = NUMBER.lastIndex
      }
      // A value is complete: close what it completes, up to the next value.
      for (;;) {
        ws()
        const top = stack[stack.length - 1]
        if (top === undefined) return i === n ? null : positionOf(text, i)
        if (text[i] === ',') {
          i++
          if (top === '{') key()
          break
        }
        if (text[i] !== (top === '{' ? '}' : ']')) fail()
        i++
        stack.pop()
      }
    }
  } catch (err) {
    if (err instanceof SyntaxAt) return positionOf(text, err.offset)
    throw err
  }
}

class SyntaxAt {
  constructor(readonly offset: number) {}
}

/** "line 3, column 14": where the text is not JSON, for a message that quotes none of it. */
export function jsonFault(text: string): string {
  const at = jsonErrorAt(text)
  return at ? `line ${at.line}, column ${at.column}` : 'somewhere'
}
