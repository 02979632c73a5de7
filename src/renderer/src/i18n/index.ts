import { computed, ref } from 'vue'
import { label as codeLabel, type LabelGroup, type Lang } from '../../../shared/labels'
import { en } from './en'
import { zh } from './zh'

// Chinese first, with an English switch. Screen texts live in ./zh.ts and ./en.ts; the names of
// domain codes come from shared/labels.ts, the same ones the CSV export uses.

export const lang = ref<Lang>((localStorage.getItem('paysync-lang') as Lang | null) ?? 'zh-CN')

export function setLang(l: Lang): void {
  lang.value = l
  localStorage.setItem('paysync-lang', l)
  document.documentElement.lang = l
}

export type MessageKey = keyof typeof zh

export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const dict: Record<string, string> = lang.value === 'zh-CN' ? zh : en
  let s = dict[key] ?? zh[key] ?? key
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v))
  return s
}

export function label(group: LabelGroup, code: string | null | undefined): string {
  return codeLabel(group, code, lang.value)
}

export const isZh = computed(() => lang.value === 'zh-CN')

/**
 * Names the app gives the batches it starts, stored in the language of that moment (main's default
 * for the command line and schedules is the first): shown in the window's language now. A name a
 * person typed, or a file's, matches none of them and stays as it is.
 */
const GENERATED_BATCH_NAMES: MessageKey[] = [
  'batch.defaultName',
  'trades.batchNamePay',
  'trades.batchNameRefund',
  'overview.batchNamePending',
]
const namePatterns = GENERATED_BATCH_NAMES.flatMap((key) =>
  [zh[key], en[key]].map((template) => ({
    key,
    re: new RegExp(
      `^${template
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(
          /\{(\w+)\}/g,
          (_, v: string) => `(?<${v}>${v === 'n' ? '\\d+' : '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d'})`,
        )}$`,
    ),
  })),
)

export function batchName(name: string): string {
  for (const { key, re } of namePatterns) {
    const m = re.exec(name)
    if (m) return t(key, m.groups)
  }
  return name
}
