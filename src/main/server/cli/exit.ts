// The exit codes of docs/cli.md section 1, apart from everything else a command loads: the entry reads
// them before it knows which command runs.

export const EXIT = { ok: 0, cannotRun: 1, syncErrors: 3 } as const

/** The exit code the command chose; main returns it. */
export const exitState = { code: EXIT.ok as number }
