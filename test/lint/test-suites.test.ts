import * as fs from 'fs';
import * as path from 'path';

/**
 * jest runs only the top-level `test/<folder>.test.ts` files, each requiring the test files of its
 * folder (package.json `jest.testMatch`). A test file no suite requires would never run: every one
 * must be required by its folder's suite, exactly once.
 */
const TEST = path.join(__dirname, '..');

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === '__snapshots__' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('test suites', () => {
  const folders = fs.readdirSync(TEST, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== '__snapshots__').map((e) => e.name);
  const LINE = /^describe\('([^']+)\.ts', \(\) => \{ require\('\.\/([^']+)'\); \}\);$/;

  test.each(folders.filter((f) => testFiles(path.join(TEST, f)).length > 0))('test/%s.test.ts requires every test file of its folder, once each', (folder) => {
    const suite = path.join(TEST, `${folder}.test.ts`);
    expect(fs.existsSync(suite)).toBe(true);
    // Nothing but its header comment, the lint directive, one line per file and `export {};`: a
    // commented-out, skipped or conditional require would leave a file unrun.
    const lines = fs.readFileSync(suite, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const body = lines.filter((l) => !l.startsWith('// ') && l !== '/* eslint-disable @typescript-eslint/no-require-imports */' && l !== 'export {};');
    const bad = body.filter((l) => { const m = LINE.exec(l); return !m || m[1] !== m[2]; });
    expect(bad).toEqual([]);
    const required = body.map((l) => `${LINE.exec(l)![2]}.ts`).sort();
    const expected = testFiles(path.join(TEST, folder)).map((f) => path.relative(TEST, f)).sort();
    expect(required).toEqual(expected);
  });

  test('no test file is focused: one `.only` would silently skip every other file of its suite', () => {
    const all = [...fs.readdirSync(TEST).filter((f) => f.endsWith('.ts')).map((f) => path.join(TEST, f)), ...folders.flatMap((f) => testFiles(path.join(TEST, f)))];
    const focused = all.filter((f) => /\b(?:test|it|describe)\.only\s*\(|\b(?:fit|fdescribe)\s*\(/.test(fs.readFileSync(f, 'utf8')));
    expect(focused.map((f) => path.relative(TEST, f))).toEqual([]);
  });
});
