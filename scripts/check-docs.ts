/**
 * Fails the build when the public API lacks documentation (run after jsii, from post-compile):
 * every exported class, interface, enum and their public members have a summary, every optional
 * property a `@default`, and every construct class an `@example`.
 */
import * as fs from 'fs';

const assembly = JSON.parse(fs.readFileSync('.jsii', 'utf8'));
const problems: string[] = [];
const isConstruct = (fqn: string): boolean => {
  const t = assembly.types[fqn];
  if (!t) return fqn === 'constructs.Construct';
  return t.base ? isConstruct(t.base) : false;
};

for (const [fqn, type] of Object.entries<any>(assembly.types)) {
  if (!type.docs?.summary) problems.push(`${fqn}: no doc comment`);
  if (type.kind === 'class' && type.base && isConstruct(type.base) && !type.docs?.example) problems.push(`${fqn}: construct class without @example`);
  for (const p of type.properties ?? []) {
    if (!p.docs?.summary) problems.push(`${fqn}.${p.name}: no doc comment`);
    if (type.datatype && p.optional && p.docs?.default === undefined) problems.push(`${fqn}.${p.name}: optional prop without @default`);
  }
  for (const m of type.methods ?? []) if (!m.docs?.summary) problems.push(`${fqn}.${m.name}(): no doc comment`);
  for (const m of type.members ?? []) if (!m.docs?.summary) problems.push(`${fqn}.${m.name}: no doc comment`);
}

if (problems.length) {
  console.error(`Public API documentation is incomplete (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`Public API documentation complete: ${Object.keys(assembly.types).length} types checked.`);
