/** Child processes of the main job. */
import type { ChildProcess } from 'child_process';

/** How a child process ended: its exit code, or the signal that killed it. */
export function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return code !== null ? `exit ${code}` : `killed by ${signal}`;
}

/** Ends a child process if it still runs. */
export function stopChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill();
}
