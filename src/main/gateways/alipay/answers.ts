// How Alipay words a refusal (docs/protocols.md section 1): `code` and `sub_code`, `msg` and
// `sub_msg`, any of which may be missing or blank.

/**
 * The gateway's word for a refusal, `code sub_code`, or a stand-in when the node names neither: an
 * error is never recorded with an empty code (the fuzzer sent an error_response without one).
 */
export function refusalCode(node: Record<string, unknown>, fallback: string): string {
  return (
    [node.code, node.sub_code]
      .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
      .map((v) => v.trim())
      .join(' ') || fallback
  )
}

/** What the gateway said of a refusal: sub_msg, else msg, else a stand-in; never blank. */
export function refusalMessage(node: Record<string, unknown>, fallback: string): string {
  for (const v of [node.sub_msg, node.msg]) if (typeof v === 'string' && v.trim() !== '') return v
  return fallback
}
