/**
 * The main job's own failure handling (scripts/run-examples.ts), run as a process in a scratch
 * directory that links to the examples and scripts, with a synthesis worker that dies on its first
 * example: each dead worker fails its example and a new worker takes the rest, and the job ends (its
 * cfn-lint and Mermaid processes stopped) with exit code 1 instead of hanging.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

test('a synthesis worker that dies fails its example, the next worker takes the rest, and the job ends', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'main-job-test-'));
  try {
    for (const link of ['examples', 'src', 'node_modules', 'package.json', 'tsconfig.dev.json']) {
      fs.symlinkSync(path.join(ROOT, link), path.join(scratch, link));
    }
    fs.mkdirSync(path.join(scratch, 'scripts'));
    fs.symlinkSync(path.join(ROOT, 'scripts', 'run-examples.ts'), path.join(scratch, 'scripts', 'run-examples.ts'));
    // The worker the job starts (scripts/synth-example.ts, by its path from the working directory).
    fs.writeFileSync(path.join(scratch, 'scripts', 'synth-example.ts'), "process.stdin.once('data', () => { throw new Error('synthesis crashed'); });\n");
    const r = spawnSync(process.execPath, ['-r', 'esbuild-register', 'scripts/run-examples.ts', '--no-guard', 'three-tier-vpc', 'kafka-nlb'], {
      cwd: scratch,
      // No python3 on the PATH either: the job does not start cfn-lint's Python for nothing.
      env: { ...process.env, PATH: path.join(scratch, 'no-bin') },
      encoding: 'utf8',
      timeout: 100_000,
    });
    expect(r.signal).toBeNull(); // ended on its own, not by the timeout
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('[1/2] three-tier-vpc FAILED');
    expect(r.stdout).toContain('[2/2] kafka-nlb FAILED');
    expect(r.stdout.match(/the synthesis worker died \(exit 1\)/g)).toHaveLength(2);
    expect(r.stdout.match(/Error: synthesis crashed/g)).toHaveLength(2);
    expect(r.stdout).toContain('0 passed, 2 failed');
    expect(fs.readFileSync(path.join(scratch, 'cdk.out', 'examples', 'REPORT.md'), 'utf8')).toContain('kafka-nlb');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}, 120_000);
