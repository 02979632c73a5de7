import type { Api } from '../../../shared/api'
import { httpApi } from './http'

/** The one API the screens use: the preload's in the desktop app, HTTP in browser mode. */
export const api: Api = window.paysync ?? httpApi()
