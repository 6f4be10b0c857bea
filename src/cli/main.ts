#!/usr/bin/env node
/**
 * The package's command: `cdk-network-patterns <command> [options] <cdk.out or template…>`.
 *
 * Each command lives in its own module under `src/cli/` and exports
 * `run(args: string[]): Promise<number>`, the process exit code. This file only dispatches.
 */

interface CommandModule {
  run(args: string[]): Promise<number>;
}

/** Command name -> module (loaded on demand, so one command's dependencies never slow another). */
const COMMANDS: { [name: string]: { module: string; summary: string } } = {
  check: { module: './check', summary: 'prove from the templates what is open: exposure, undeclared openings, rule findings (text, JSON, SARIF)' },
  emulate: { module: './emulate', summary: 'rebuild the network in Linux namespaces and carry every declared flow with real sockets (root)' },
};

function usage(): string {
  const lines = ['Usage: cdk-network-patterns <command> [options] <cdk.out directory or template file>...', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${c.summary}`);
  lines.push('', 'Run `cdk-network-patterns <command> --help` for the options of a command.');
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`cdk-network-patterns: unknown command '${name}'.\n\n${usage()}`);
    return 2;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(command.module) as CommandModule;
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`cdk-network-patterns: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
