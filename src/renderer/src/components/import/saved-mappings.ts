import { ref } from 'vue'

// Column mappings saved per source system (an export of the order system, a bank's sheet...), kept in
// this computer's localStorage under a name and offered again when a file with the same headers comes.

export interface SavedMapping {
  type: 'pay' | 'refund'
  /** Header as it appears in the file -> field, or null to ignore the column. */
  columns: Record<string, string | null>
  savedAt: string
}

const KEY = 'paysync-mappings'

function read(): Record<string, SavedMapping> {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as unknown
    return v && typeof v === 'object' ? (v as Record<string, SavedMapping>) : {}
  } catch {
    return {}
  }
}

export const savedMappings = ref<Record<string, SavedMapping>>(read())

export function saveMapping(name: string, mapping: Omit<SavedMapping, 'savedAt'>): void {
  savedMappings.value = { ...savedMappings.value, [name]: { ...mapping, savedAt: new Date().toISOString() } }
  localStorage.setItem(KEY, JSON.stringify(savedMappings.value))
}

export function deleteMapping(name: string): void {
  const next = { ...savedMappings.value }
  delete next[name]
  savedMappings.value = next
  localStorage.setItem(KEY, JSON.stringify(next))
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
