import type { InjectionKey } from 'vue'

/**
 * Settles once a list screen's first rows are on screen (usePagedList `shown`). The filter bar
 * provides it; the heavier filter controls wait for it, so the rows come first.
 */
export const LIST_SHOWN: InjectionKey<Promise<void>> = Symbol('list shown')
