/**
 * cfn-lint for the main job (scripts/run-examples.ts): each example's templates as soon as it is
 * synthesized, in one long-lived Python process (scripts/cfn-lint-stream.py), or the `cfn-lint`
 * command once over every template when that process can't import cfn-lint.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { exitText, stopChild } from './child';
import type { CfnLintResult } from './synth-example';

/** Files a cfn-lint `parseable` line without its file name (`line:col:endline:endcol:RULE:message`) under errors or warnings. */
function fileLintLine(result: CfnLintResult, text: string): void {
  const rule = text.split(':')[4] ?? '';
  (rule.startsWith('E') ? result.errors : result.warnings).push(text);
}

export const NOT_INSTALLED: CfnLintResult = { ran: false, errors: [], warnings: [], note: 'cfn-lint is not installed: skipped (pip install cfn-lint to run it)' };

/** The `cfn-lint` command over every template in one process (its start-up is most of its cost), by template. */
export function cfnLintAll(templates: string[], command = 'cfn-lint'): Promise<Map<string, CfnLintResult>> {
  const results = new Map<string, CfnLintResult>();
  return new Promise((resolve) => {
    if (!templates.length) return resolve(results);
    const child = spawn(command, ['--format', 'parseable', ...templates], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    child.on('close', (code, signal) => {
      // A command that could not start is closed too (exit -2): it was reported as not installed.
      if (missing) return;
      for (const t of templates) results.set(t, { ran: true, errors: [], warnings: [] });
      // The longest template path a line starts with: `a.json:` is also the start of `a.json:1.json:`.
      const byLength = [...templates].sort((a, b) => b.length - a.length);
      const strays: string[] = [];
      for (const line of out.split('\n').filter(Boolean)) {
        const template = byLength.find((t) => line.startsWith(`${t}:`));
        if (template) fileLintLine(results.get(template)!, line.slice(template.length + 1));
        else strays.push(line);
      }
      // A finding on a file name none of the templates has (cfn-lint writes names as it normalizes
      // them): every template gets it as an error rather than nobody.
      for (const r of results.values()) r.errors.push(...strays.map((l) => `cfn-lint reported a finding on a file name none of the templates has: ${l}`));
      // cfn-lint's exit code is a bit mask of what it found: 2 errors, 4 warnings, 8 informational.
      // Bit 1 (a bad configuration, a crash), a code above 14 or a signal means it did not lint
      // them all: every template gets the error, so none passes unlinted.
      // eslint-disable-next-line no-bitwise
      const crashed = code === null || code > 14 || (code & 1) !== 0 || ((code & 2) !== 0 && [...results.values()].every((r) => !r.errors.length));
      if (crashed) {
        for (const r of results.values()) r.errors.push(`cfn-lint failed (${exitText(code, signal)}): ${err.trim()}`);
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
  private readonly exited: Promise<string>;
  private readonly child: ReturnType<typeof spawn>;
  private fallback = false;
  private stderr = '';

  /**
   * @param python the Python command and its options (`python3` on the PATH)
   * @param command the cfn-lint command to fall back on
   */
  constructor(python: string[] = ['python3'], private readonly command = 'cfn-lint') {
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
      child.on('error', (e) => {
        this.fallback = true;
        resolve(e.message);
      });
      child.on('close', (code, signal) => {
        // A Python that could not run the script at all (it answered nothing): the command instead.
        if (code !== 0 && this.results.size === 0) this.fallback = true;
        resolve(exitText(code, signal));
      });
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
    const exit = await this.exited;
    if (this.fallback) return cfnLintAll(this.sent, this.command);
    for (const t of this.sent.filter((x) => !this.results.has(x))) {
      this.results.set(t, { ran: true, errors: [`cfn-lint stopped before linting this template (${exit}): ${this.stderr.trim()}`], warnings: [] });
    }
    return this.results;
  }

  /** Ends the process if it still runs (the job failed before `done`). */
  public stop(): void {
    stopChild(this.child);
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
      for (const l of a.lines ?? []) fileLintLine(result, l);
      this.results.set(a.template, result);
    }
  }
}

