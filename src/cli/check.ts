/**
 * `cdk-network-patterns check <cdk.out or template…>`: proves from synthesized templates what is
 * open. For every VPC: what the internet reaches (each node and port), which nodes reach which on
 * the ports the templates use, and what could not be resolved (UNKNOWN, with why); the findings
 * of the `NetworkPatterns` rule pack; with `--expect`, every expected flow must be reachable and
 * every other opening is reported. Text for people, JSON, or SARIF 2.1.0 for code scanning.
 *
 * Exit code: 0 when no finding reaches the `--fail-on` level, 1 when one does, 2 on bad input.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { loadTemplates } from './private/assembly';
import { readExpectations } from './private/expect';
import { analyzeNetwork } from './private/network';
import { buildReport, CheckReport, renderJson, renderSarif, renderText } from './private/report';
import { runRules } from './private/rules';
import { UsageError } from './private/usage-error';

const FORMATS = ['text', 'json', 'sarif'];
const FAIL_ON = ['error', 'warning', 'note', 'none'];

const HELP = `Usage: cdk-network-patterns check [options] <cdk.out directory or template file>...

Reads every stack of a cloud assembly (nested stages included; cross-stack imports resolved) or
the given CloudFormation templates (JSON or YAML), and reports per VPC what the internet reaches,
what is open between the nodes on the ports the templates use, what could not be resolved, and the
findings of the NetworkPatterns rules.

Options:
  --format <text|json|sarif>  output format (default: text)
  --output <file>             write the report in that format to <file>, and the text report to stdout
  --expect <file>             JSON or YAML list of expected flows ({ from, to, port }): each must be
                              reachable, and every other opening is an error (NetworkPatterns-CHECK2)
  --fail-on <error|warning|note|none>
                              the lowest finding level that makes the exit code 1 (default: error)
  -h, --help                  show this help

Exit code: 0 when no finding reaches --fail-on, 1 when one does, 2 on bad input.`;

/** Runs `check` with the command-line arguments after the command name; resolves to the exit code. */
export async function run(args: string[]): Promise<number> {
  try {
    return check(args);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`cdk-network-patterns check: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

function check(args: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'format': { type: 'string', default: 'text' },
        'output': { type: 'string' },
        'expect': { type: 'string' },
        'fail-on': { type: 'string', default: 'error' },
        'help': { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message} Run \`cdk-network-patterns check --help\` for the options.`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const format = values.format!;
  const failOn = values['fail-on']!;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${format}'.`);
  if (!FAIL_ON.includes(failOn)) throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')}, got '${failOn}'.`);
  if (positionals.length === 0) throw new UsageError(`give a cloud assembly directory (cdk.out) or template files.\n\n${HELP}`);

  const expected = values.expect === undefined ? undefined : readExpectations(values.expect);
  const templates = loadTemplates(positionals);
  const network = analyzeNetwork(templates, expected);
  const rules = runRules(templates);
  const report = buildReport(templates, network, rules, values.expect);

  const rendered = render(report, format);
  if (values.output !== undefined) {
    fs.mkdirSync(path.dirname(path.resolve(values.output)), { recursive: true });
    fs.writeFileSync(values.output, rendered);
    process.stdout.write(renderText(report));
  } else {
    process.stdout.write(rendered);
  }
  return exitCode(report, failOn);
}

function render(report: CheckReport, format: string): string {
  if (format === 'json') return renderJson(report);
  if (format === 'sarif') return renderSarif(report, packageVersion());
  return renderText(report);
}

function exitCode(report: CheckReport, failOn: string): number {
  const { errors, warnings, notes } = report.summary;
  if (failOn === 'none') return 0;
  const count = failOn === 'error' ? errors : failOn === 'warning' ? errors + warnings : errors + warnings + notes;
  return count > 0 ? 1 : 0;
}

function packageVersion(): string {
  try {
    return String(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
  } catch {
    return '0.0.0';
  }
}
