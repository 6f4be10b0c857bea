/**
 * `node -r ./scripts/transpile.js <file>.ts`: runs the repository's TypeScript (src, examples,
 * scripts) by transpiling each file with esbuild (a dev dependency already: it bundles the
 * examples' Lambda code) when it is required, with no type-checking, as
 * `ts-node --transpile-only` does, for a fifth of its CPU: loading src/ costs about 1 s of CPU
 * instead of 5 s, in the main job's process and in each of its synthesis workers. The type-check
 * is `npm run typecheck`; files are transpiled one at a time, as `isolatedModules` (set in
 * test/tsconfig.json) guarantees is safe, with the compiler options of tsconfig.json (target
 * ES2022: class fields as defined properties, as tsc emits them). Stack traces point at the
 * TypeScript lines (inline source maps).
 */
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const tsconfig = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
const options = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  tsconfigRaw: { compilerOptions: tsconfig.compilerOptions },
};

process.setSourceMapsEnabled(true);
require.extensions['.ts'] = (module, filename) => {
  if (filename.includes(`${path.sep}node_modules${path.sep}`)) throw new Error(`${filename}: TypeScript inside node_modules is not transpiled`);
  const { code } = esbuild.transformSync(fs.readFileSync(filename, 'utf8'), { ...options, sourcefile: filename });
  module._compile(code, filename);
};
