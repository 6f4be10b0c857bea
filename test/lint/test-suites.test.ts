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

  test.each(folders.filter((f) => testFiles(path.join(TEST, f)).length > 0))('test/%s.test.ts requires every test file of its folder, once each', (folder) => {
    const suite = path.join(TEST, `${folder}.test.ts`);
    expect(fs.existsSync(suite)).toBe(true);
    const required = [...fs.readFileSync(suite, 'utf8').matchAll(/require\('\.\/([^']+)'\)/g)].map((m) => `${m[1]}.ts`).sort();
    const expected = testFiles(path.join(TEST, folder)).map((f) => path.relative(TEST, f)).sort();
    expect(required).toEqual(expected);
  });

  test('a suite names each required file in its describe block, so a failure shows the file', () => {
    for (const folder of folders) {
      const suite = path.join(TEST, `${folder}.test.ts`);
      if (!fs.existsSync(suite)) continue;
      for (const m of fs.readFileSync(suite, 'utf8').matchAll(/describe\('([^']+)', \(\) => \{ require\('\.\/([^']+)'\); \}\);/g)) {
        expect(m[1]).toBe(`${m[2]}.ts`);
      }
    }
  });
});
