import type { LabelGroup } from '../../shared/labels'
import { label } from './i18n'

/** Select options for a list of codes, named in the current language. */
export function codeOptions(
  group: LabelGroup,
  codes: readonly string[],
): Array<{ label: string; value: string }> {
  return codes.map((code) => ({ label: label(group, code), value: code }))
}
