import { ref } from 'vue'
import type { ColumnMappingInput } from '../../../../shared/mapping'
import { api } from '../../bridge'

// Column mappings saved per source system (an export of the order system, a bank's sheet...), kept in
// the database through mappings.* (issue 14 item 17: the browser's localStorage is per origin, and
// browser mode takes a new port, a new origin, on every start) and offered again when a file with
// the same headers comes. A mapping an earlier version left in localStorage moves to the database
// the first time the list is read.

export interface SavedMapping {
  type: 'pay' | 'refund'
  /** Header as it appears in the file -> field, or null to ignore the column. */
  columns: Record<string, string | null>
  savedAt: string
}

const LEGACY_KEY = 'paysync-mappings'

export const savedMappings = ref<Record<string, SavedMapping>>({})

function legacy(): Record<string, SavedMapping> {
  try {
    const v = JSON.parse(localStorage.getItem(LEGACY_KEY) ?? '{}') as unknown
    return v && typeof v === 'object' ? (v as Record<string, SavedMapping>) : {}
  } catch {
    return {}
  }
}

function toInput(columns: Record<string, string | null>): ColumnMappingInput {
  // Each field is one a preview or a saved mapping named; main checks the mapping again.
  return { columns: columns as ColumnMappingInput['columns'], defaults: {} }
}

/** Reads the saved mappings from main, moving any this browser still keeps to the database first. */
export async function loadMappings(): Promise<void> {
  const old = legacy()
  const listed = await api.mappings.list()
  const names = new Set(listed.map((m) => m.name))
  for (const [name, m] of Object.entries(old))
    if (!names.has(name)) await api.mappings.save({ name, type: m.type, mapping: toInput(m.columns) })
  localStorage.removeItem(LEGACY_KEY)
  const all = Object.keys(old).some((n) => !names.has(n)) ? await api.mappings.list() : listed
  savedMappings.value = Object.fromEntries(
    all.map((m) => [m.name, { type: m.type, columns: { ...m.mapping.columns }, savedAt: m.savedAt }]),
  )
}

export async function saveMapping(name: string, mapping: Omit<SavedMapping, 'savedAt'>): Promise<void> {
  const saved = await api.mappings.save({ name, type: mapping.type, mapping: toInput(mapping.columns) })
  savedMappings.value = {
    ...savedMappings.value,
    [name]: { type: saved.type, columns: { ...saved.mapping.columns }, savedAt: saved.savedAt },
  }
}

export async function deleteMapping(name: string): Promise<void> {
  await api.mappings.remove({ name })
  const next = { ...savedMappings.value }
  delete next[name]
  savedMappings.value = next
}

/** The saved mapping that names every header of this file, if one does. */
export function matchingMapping(headers: string[], type: 'pay' | 'refund'): string | null {
  const set = new Set(headers.filter((h) => h.trim() !== ''))
  for (const [name, m] of Object.entries(savedMappings.value)) {
    const keys = Object.keys(m.columns)
    if (m.type === type && keys.length === set.size && keys.every((k) => set.has(k))) return name
  }
  return null
}
