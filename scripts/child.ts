/** How a child process of the main job ended: its exit code, or the signal that killed it. */
export function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return code !== null ? `exit ${code}` : `killed by ${signal}`;
}
