import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { naclTrap } from './hand-made';
import { environmentProblem, parseArgs, parseFlow, readTemplates, renderTable, run } from '../../src/cli/emulate';

describe('emulate: arguments', () => {
  test('inputs and options', () => {
    expect(parseArgs(['cdk.out', '--timeout', '900', '--no-undeclared', '--json', 'r.json'])).toEqual(
      { inputs: ['cdk.out'], json: 'r.json', timeout: 900, undeclared: false, flows: [] });
  });

  test('fails without an input, with an unknown option, with a bad timeout', () => {
    expect(() => parseArgs([])).toThrow(/give at least one cdk\.out directory or template file/);
    expect(() => parseArgs(['cdk.out', '--fast'])).toThrow(/unknown option '--fast'/);
    expect(() => parseArgs(['cdk.out', '--timeout', '10'])).toThrow(/--timeout must be a whole number of milliseconds from 50 to 60000, got '10'/);
  });

  test('a flow on the command line', () => {
    expect(parseFlow('App/Web=>App/Db:tcp/5432')).toMatchObject({ fromPath: 'App/Web', toPath: 'App/Db', protocol: 'tcp', fromPort: 5432, toPort: 5432 });
    expect(parseFlow('internet/203.0.113.0/24=>App/Nlb:udp/53-54')).toMatchObject({ fromPath: undefined, internetCidrs: ['203.0.113.0/24'], toPath: 'App/Nlb', fromPort: 53, toPort: 54 });
    expect(() => parseFlow('App/Web->App/Db:5432')).toThrow(/--flow must look like FROM=>TO:tcp\/PORT/);
    expect(() => parseFlow('internet=>internet:tcp/443')).toThrow(/one end must be a construct path/);
  });

  test('--help prints the usage, naming what the command needs', async () => {
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((l: string) => { lines.push(l); });
    try {
      expect(await run(['--help'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('\n')).toMatch(/apt-get install -y iproute2 nftables/);
  });
});

describe('emulate: templates', () => {
  test('a cdk.out directory: every stack its manifest names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnpe-read-'));
    fs.writeFileSync(path.join(dir, 'A.template.json'), JSON.stringify(naclTrap([])));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ artifacts: { A: { type: 'aws:cloudformation:stack', properties: { templateFile: 'A.template.json' } } } }));
    expect(Object.keys(readTemplates([dir]))).toEqual(['A']);
  });

  test('fails on a path that does not exist, and on a directory without templates', () => {
    expect(() => readTemplates(['/nonexistent/cdk.out'])).toThrow(/'\/nonexistent\/cdk\.out' does not exist\. Give a cdk\.out directory \(run cdk synth first\)/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cnpe-empty-'));
    expect(() => readTemplates([empty])).toThrow(/holds no stack templates/);
  });
});

describe('emulate: environment', () => {
  test('refuses clearly without root', () => {
    const spy = jest.spyOn(process, 'getuid').mockReturnValue(1000);
    try {
      expect(environmentProblem()).toMatch(/it needs root: it creates network namespaces, interfaces and nftables rules\. Run it with sudo/);
    } finally {
      spy.mockRestore();
    }
  });

  test('without root the command exits 2 before touching the host', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnpe-noroot-'));
    fs.writeFileSync(path.join(dir, 'A.template.json'), JSON.stringify(naclTrap([])));
    const spy = jest.spyOn(process, 'getuid').mockReturnValue(1000);
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await run([dir])).toBe(2);
      expect(err.mock.calls.join('\n')).toMatch(/needs root/);
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
  });
});

describe('emulate: the table', () => {
  test('lists declared probes and failures, hides agreeing blocked undeclared probes, and closes with the counts', () => {
    const table = renderTable({
      probes: [
        {
          kind: 'declared',
          name: 'f',
          from: 'internet',
          to: 'Web',
          port: 'tcp 443',
          analyzer: 'blocked',
          analyzerPartial: false,
          packets: 'blocked',
          legs: 2,
          passedLegs: 0,
          details: ['internet -> Web: blocked from every source port 1024-65535 (no answer: the handshake timed out)'],
          agree: true,
          ok: false,
        },
        {
          kind: 'undeclared',
          name: 'u',
          from: 'internet',
          to: 'Web',
          port: 'tcp 22',
          analyzer: 'blocked',
          analyzerPartial: false,
          packets: 'blocked',
          legs: 1,
          passedLegs: 0,
          details: [],
          agree: true,
          ok: true,
        },
      ],
      passed: 1,
      failed: 1,
      skipped: [],
      namespaces: 5,
      buildSeconds: 1,
      probeSeconds: 1,
    });
    expect(table).toMatch(/\| FAILED \| declared \| internet \| Web \| tcp 443 \| blocked \| blocked \(0\/2\) \| internet -> Web: blocked from every source port/);
    expect(table).not.toMatch(/tcp 22/);
    expect(table).toMatch(/1 undeclared probes: blocked by the packets, as the analyzer says/);
    expect(table.split('\n').pop()).toBe('1 passed, 1 failed');
  });
});

describe('emulate: nothing to prove', () => {
  test('templates without declared flows: exit 2 with what to do, before any namespace is built', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnpe-noflows-'));
    const t = naclTrap([]);
    delete t.Resources.Vpc.Metadata;
    fs.writeFileSync(path.join(dir, 'A.template.json'), JSON.stringify(t));
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await run([dir])).toBe(2);
      expect(err.mock.calls.join('\n')).toMatch(/the templates declare no flows, so there is nothing to prove: .*--flow FROM=>TO:tcp\/PORT/);
    } finally {
      err.mockRestore();
    }
  });
});
