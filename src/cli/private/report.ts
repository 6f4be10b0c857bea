import { LoadedTemplate, resourceLine } from './assembly';
import { ExpectedFlowResult, NetworkResult, UndeclaredOpening, VpcReport } from './network';
import { RuleFailure, RuleFinding } from './rules';
import { RULES } from '../../nag/private/rule-table';

/** A finding's level, as SARIF names them. */
export type Level = 'error' | 'warning' | 'note';

/** One finding of `check`, located in a template. */
export interface Finding {
  readonly ruleId: string;
  readonly level: Level;
  readonly message: string;
  readonly stackName?: string;
  /** The template file, relative to the working directory. */
  readonly templateFile?: string;
  readonly logicalId?: string;
  readonly constructPath?: string;
  /** The 1-based line of the resource in the template file. */
  readonly line?: number;
}

/** Everything `check` found. */
export interface CheckReport {
  readonly templates: Array<{ readonly stackName: string; readonly file: string; readonly resources: number }>;
  readonly vpcs: VpcReport[];
  readonly expectFile?: string;
  readonly expected: ExpectedFlowResult[];
  readonly undeclared: UndeclaredOpening[];
  readonly findings: Finding[];
  readonly summary: { readonly errors: number; readonly warnings: number; readonly notes: number };
}

/** A rule of `check` itself (the pack's rules come from its rule table). */
export interface CheckRule {
  readonly id: string;
  readonly level: Level;
  readonly summary: string;
  readonly help: string;
}

/** The rules `check` adds to the pack's. */
export const CHECK_RULES: CheckRule[] = [
  {
    id: 'NetworkPatterns-CHECK1',
    level: 'error',
    summary: 'An expected flow (--expect) is not proven reachable.',
    help: 'Every layer must carry a flow: a route, the NACLs of both subnets both ways (the request, and the answer to the client\'s ' +
      'ephemeral port), and the security groups. The message says which layer stops it, or which value known only at deploy time ' +
      'keeps the answer UNKNOWN.',
  },
  {
    id: 'NetworkPatterns-CHECK2',
    level: 'error',
    summary: 'An opening no expected flow (--expect) declares.',
    help: 'The templates let this source reach this destination on this port, and no expected flow says it should. Close it ' +
      '(remove the security group rule or NACL entry that admits it) or add the flow to the expectations file.',
  },
  {
    id: 'NetworkPatterns-CHECK3',
    level: 'warning',
    summary: 'The network model could not resolve part of the templates.',
    help: 'A value known only at deploy time (a parameter, an import from a stack not given, a prefix list, a security group ' +
      'defined elsewhere) leaves an answer UNKNOWN rather than guessed. Give every stack of the app (the whole cdk.out) so that ' +
      'imports resolve.',
  },
];

/** Builds the report: network results and rule findings, each located in its template. */
export function buildReport(
  templates: LoadedTemplate[],
  network: NetworkResult,
  rules: { findings: RuleFinding[]; failures: RuleFailure[] },
  expectFile: string | undefined,
): CheckReport {
  const byStack = new Map(templates.map((t) => [t.stackName, t]));
  const at = (stackName: string | undefined, logicalId: string | undefined) => {
    const t = stackName === undefined ? undefined : byStack.get(stackName);
    if (!t) return {};
    return {
      stackName,
      templateFile: t.file,
      logicalId,
      constructPath: logicalId === undefined ? undefined : t.paths.get(logicalId),
      line: logicalId === undefined ? undefined : resourceLine(t, logicalId),
    };
  };
  const node = (name: string) => {
    const where = network.locate(name);
    return where ? at(where.stackName, where.logicalId) : {};
  };

  const findings: Finding[] = [];
  for (const f of rules.findings) findings.push({ ruleId: f.ruleId, level: f.level, message: f.message, ...at(f.stackName, f.logicalId) });
  for (const f of rules.failures) findings.push({ ruleId: 'NetworkPatterns-CHECK3', level: 'warning', message: f.reason, ...at(f.stackName, undefined) });
  for (const e of network.expected) {
    if (e.verdict === 'reachable') continue;
    const what = `${e.flow.from} -> ${e.flow.to} on ${e.flow.text}`;
    findings.push({
      // Every expected flow must be proven reachable: one the model cannot prove fails the check too.
      ruleId: 'NetworkPatterns-CHECK1',
      level: 'error',
      message: e.verdict === 'blocked'
        ? `The expected flow ${what} is not reachable: ${e.reasons.join('; ')}`
        : `The expected flow ${what} cannot be proven: ${e.reasons.map((r) => r.replace(/^unknown: /, '')).join('; ')}`,
      ...node(e.flow.to),
    });
  }
  for (const u of network.undeclared) {
    const admitted = u.admittedBy.filter((w) => !w.startsWith('unknown: '));
    findings.push({
      ruleId: u.certain ? 'NetworkPatterns-CHECK2' : 'NetworkPatterns-CHECK3',
      level: u.certain ? 'error' : 'warning',
      message: u.certain
        ? `${u.from} reaches ${u.to} on ${u.port}, and no expected flow declares it. Admitted by: ${admitted.join('; ')}.`
        : `${u.from} may reach ${u.to} on ${u.port}, which no expected flow declares: it depends on ` +
          `${u.admittedBy.filter((w) => w.startsWith('unknown: ')).map((w) => w.slice(9)).join('; ')}.`,
      ...node(u.to === 'internet' ? u.from : u.to),
    });
  }
  for (const v of network.vpcs) {
    for (const u of v.unknown) {
      findings.push({ ruleId: 'NetworkPatterns-CHECK3', level: 'note', message: `${u.what}: ${u.why}`, ...node(u.node) });
    }
  }
  const order: Level[] = ['error', 'warning', 'note'];
  findings.sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
  return {
    templates: templates.map((t) => ({ stackName: t.stackName, file: t.file, resources: Object.keys(t.template.Resources ?? {}).length })),
    vpcs: network.vpcs,
    expectFile,
    expected: network.expected,
    undeclared: network.undeclared,
    findings,
    summary: {
      errors: findings.filter((f) => f.level === 'error').length,
      warnings: findings.filter((f) => f.level === 'warning').length,
      notes: findings.filter((f) => f.level === 'note').length,
    },
  };
}

/** The report for people. */
export function renderText(r: CheckReport): string {
  const lines: string[] = [];
  lines.push(`Checked ${r.templates.length} template(s): ${r.templates.map((t) => `${t.stackName} (${t.file}, ${t.resources} resources)`).join(', ')}`);
  for (const v of r.vpcs) {
    lines.push('', `VPC ${v.vpc}${v.stackName ? ` (stack ${v.stackName})` : ''}: ${v.nodes.length} node(s)`);
    lines.push('  Exposure: what the internet reaches');
    if (v.exposure.length === 0) lines.push('    nothing');
    for (const e of v.exposure) lines.push(`    ${e.node} (${e.kind}): ${ports(e.ports, e.maybe)}`);
    lines.push('  Open between the nodes and the internet (every port range, exactly):');
    if (v.openings.length === 0) lines.push('    nothing');
    for (const o of v.openings) lines.push(`    ${o.from} -> ${o.to}: ${ports(o.ports, o.maybe)}`);
    if (v.unknown.length) {
      lines.push('  UNKNOWN (not resolved from the templates):');
      for (const u of v.unknown) lines.push(`    ${u.what}: ${u.why}`);
    }
  }
  if (r.expectFile !== undefined) {
    lines.push('', `Expected flows (${r.expectFile}):`);
    for (const e of r.expected) lines.push(`  ${e.verdict.toUpperCase().padEnd(9)} ${e.flow.from} -> ${e.flow.to} on ${e.flow.text}`);
    lines.push(`  Openings no expected flow declares: ${r.undeclared.length}`);
  }
  lines.push('', 'Findings:');
  if (r.findings.length === 0) lines.push('  none');
  for (const f of r.findings) {
    const where = [f.constructPath ?? f.logicalId, f.templateFile && `${f.templateFile}${f.line ? `:${f.line}` : ''}`].filter(Boolean).join(' in ');
    lines.push(`  ${f.level.toUpperCase()} ${f.ruleId}${where ? ` at ${where}` : ''}: ${f.message}`);
  }
  lines.push('', `${r.summary.errors} error(s), ${r.summary.warnings} warning(s), ${r.summary.notes} note(s).`);
  return lines.join('\n') + '\n';
}

function ports(certain: string[], maybe: string[]): string {
  return [...certain, ...maybe.map((m) => `${m} (UNKNOWN)`)].join(', ');
}

/** The report as JSON (the same content as the text). */
export function renderJson(r: CheckReport): string {
  return JSON.stringify({
    ...r,
    expected: r.expected.map((e) => ({ from: e.flow.from, to: e.flow.to, port: e.flow.text, verdict: e.verdict, reasons: e.reasons })),
  }, undefined, 2) + '\n';
}

/**
 * The findings as SARIF 2.1.0, which GitHub code scanning reads: one result per finding with its
 * rule id, level, template file (and line), and the resource's logical id and construct path.
 * @see https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 */
export function renderSarif(r: CheckReport, version: string): string {
  const rules = [
    ...RULES.map((x) => ({
      id: `NetworkPatterns-${x.ruleSuffixOverride}`,
      level: (String(x.level) === 'Error' ? 'error' : 'warning') as Level,
      summary: x.info,
      help: x.explanation,
    })),
    ...CHECK_RULES,
  ];
  // Findings of rules that report a sub-finding (`Rule[detail]`) or are not in the tables get their own rule entry.
  for (const f of r.findings) {
    if (!rules.some((x) => x.id === f.ruleId)) rules.push({ id: f.ruleId, level: f.level, summary: f.message, help: f.message });
  }
  const results = r.findings.map((f) => {
    const location: { [k: string]: unknown } = {};
    if (f.templateFile) {
      location.physicalLocation = {
        artifactLocation: { uri: encodeURI(f.templateFile) },
        ...(f.line ? { region: { startLine: f.line } } : {}),
      };
    }
    if (f.logicalId) {
      location.logicalLocations = [{ name: f.logicalId, fullyQualifiedName: f.constructPath ?? `${f.stackName}/${f.logicalId}`, kind: 'resource' }];
    }
    return {
      ruleId: f.ruleId,
      ruleIndex: rules.findIndex((x) => x.id === f.ruleId),
      level: f.level,
      message: { text: f.message },
      locations: Object.keys(location).length ? [location] : [],
      properties: {
        ...(f.stackName ? { stackName: f.stackName } : {}),
        ...(f.logicalId ? { logicalId: f.logicalId } : {}),
        ...(f.constructPath ? { constructPath: f.constructPath } : {}),
      },
    };
  });
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'cdk-network-patterns',
          version,
          rules: rules.map((x) => ({
            id: x.id,
            shortDescription: { text: x.summary },
            fullDescription: { text: x.help },
            defaultConfiguration: { level: x.level },
          })),
        },
      },
      results,
    }],
  }, undefined, 2) + '\n';
}
