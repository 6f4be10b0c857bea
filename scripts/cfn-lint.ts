/**
 * cfn-lint for the main job (scripts/run-examples.ts): each example's templates as soon as it is
 * synthesized, in one long-lived Python process (scripts/cfn-lint-stream.py), or the `cfn-lint`
 * command once over every template when that process can't import cfn-lint.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import type { CfnLintResult } from './synth-example';

/** Files a cfn-lint `parseable` line (`file:line:col:endline:endcol:RULE:message`) under its template's errors or warnings. */
export function fileLintLine(result: CfnLintResult, template: string, line: string): void {
  const text = line.startsWith(`${template}:`) ? line.slice(template.length + 1) : line;
  const rule = text.split(':')[4] ?? '';
  (rule.startsWith('E') ? result.errors : result.warnings).push(text);
}

export const NOT_INSTALLED: CfnLintResult = { ran: false, errors: [], warnings: [], note: 'cfn-lint is not installed: skipped (pip install cfn-lint to run it)' };

/** The `cfn-lint` command over every template in one process (its start-up is most of its cost), by template. */
export function cfnLintAll(templates: string[]): Promise<Map<string, CfnLintResult>> {
  const results = new Map<string, CfnLintResult>();
  return new Promise((resolve) => {
    if (!templates.length) return resolve(results);
    const child = spawn('cfn-lint', ['--format', 'parseable', ...templates], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    let missing = false;
    child.on('error', () => {
      missing = true;
      for (const t of templates) results.set(t, NOT_INSTALLED);
      resolve(results);
    });
    child.on('close', (code) => {
      // A command that could not start is closed too (exit -2): it was reported as not installed.
      if (missing) return;
      for (const t of templates) results.set(t, { ran: true, errors: [], warnings: [] });
      for (const line of out.split('\n').filter(Boolean)) {
        const template = templates.find((t) => line.startsWith(`${t}:`));
        if (template) fileLintLine(results.get(template)!, template, line);
      }
      // cfn-lint's exit code is a bit mask: 2 = an error was found; anything else above 31 is a crash.
      // eslint-disable-next-line no-bitwise
      if (code !== null && (code > 31 || ((code & 2) !== 0 && [...results.values()].every((r) => !r.errors.length)))) {
        results.get(templates[0])!.errors.push(`cfn-lint failed (exit ${code}): ${err}`);
      }
      resolve(results);
    });
  });
}

/**
 * cfn-lint over each example's templates as soon as it is synthesized, beside the synthesis of the
 * next ones: one Python process (scripts/cfn-lint-stream.py) imports cfn-lint and loads its rules
 * once, then lints each template it is sent as `cfn-lint --format parseable <template>` does. When
 * `python3` can't import cfn-lint (installed for another Python), or the process fails to start,
 * the `cfn-lint` command lints every template at the end instead.
 */
export class CfnLint {
  private readonly results = new Map<string, CfnLintResult>();
  private readonly sent: string[] = [];
  private readonly exited: Promise<number | null>;
  private readonly child: ReturnType<typeof spawn>;
  private fallback = false;
  private stderr = '';

  /** @param python the Python command and its options (`python3` on the PATH) */
  constructor(python: string[] = ['python3']) {
    const child = spawn(python[0], [...python.slice(1), path.join(__dirname, 'cfn-lint-stream.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let buffer = '';
    child.stdout.on('data', (d) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        this.answer(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    child.stderr.on('data', (d) => { this.stderr += d; });
    child.stdin.on('error', () => { /* the process exited: told by its exit code */ });
    this.exited = new Promise((resolve) => {
      child.on('error', () => {
        this.fallback = true;
        resolve(null);
      });
      child.on('close', (code) => resolve(code));
    });
  }

  /** Lints these templates (one example's) as soon as the process is free. */
  public add(templates: string[]): void {
    for (const t of templates) {
      this.sent.push(t);
      this.child.stdin!.write(`${t}\n`);
    }
  }

  /** The results for every template sent, once the process has answered them all. */
  public async done(): Promise<Map<string, CfnLintResult>> {
    this.child.stdin!.end();
    const code = await this.exited;
    if (this.fallback) return cfnLintAll(this.sent);
    for (const t of this.sent.filter((x) => !this.results.has(x))) {
      this.results.set(t, { ran: true, errors: [`cfn-lint stopped before linting this template (exit ${code}): ${this.stderr.trim()}`], warnings: [] });
    }
    return this.results;
  }

  private answer(line: string): void {
    let a: { template?: string; lines?: string[]; error?: string; unavailable?: string };
    try {
      a = JSON.parse(line);
    } catch {
      this.stderr += `${line}\n`;
      return;
    }
    if (a.unavailable !== undefined) {
      this.fallback = true;
    } else if (a.template !== undefined) {
      const result: CfnLintResult = { ran: true, errors: a.error ? [`cfn-lint failed: ${a.error}`] : [], warnings: [] };
      for (const l of a.lines ?? []) fileLintLine(result, a.template, l);
      this.results.set(a.template, result);
    }
  }
}

