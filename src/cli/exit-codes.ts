/** Exit codes of every strom command: 0 ok, 1 the operation failed, 2 the command line was wrong. */
export const ExitCode = { OK: 0, FAILED: 1, USAGE: 2 } as const;
