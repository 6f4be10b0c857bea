/**
 * The main job's emulation results, cdk.out/examples/<example>/emulation.json: the report of
 * src/emulate with the hash of the templates it probed, so that the differential test of
 * `npm run test:emulate` reuses them only for the very templates it synthesizes itself.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { EmulationReport } from '../src/emulate/emulator';

/** What cdk.out/examples/<example>/emulation.json holds. */
export interface EmulationFile extends EmulationReport {
  readonly templatesSha256: string;
}

/** The hash of templates keyed by stack name (independent of the keys' order). */
export function templatesHash(templates: { [stack: string]: unknown }): string {
  const sorted = Object.keys(templates).sort().map((k) => [k, templates[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/** The file of `example` under `root`. */
export function emulationFile(example: string, root = path.join('cdk.out', 'examples')): string {
  return path.join(root, example, 'emulation.json');
}

/** The main job's report for `example` when it probed exactly `templates`, else undefined. */
export function reusableEmulation(example: string, templates: { [stack: string]: unknown }, root?: string): EmulationReport | undefined {
  const file = emulationFile(example, root);
  if (!fs.existsSync(file)) return undefined;
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<EmulationFile>;
  if (saved.templatesSha256 !== templatesHash(templates) || !Array.isArray(saved.probes)) return undefined;
  const { templatesSha256: _, ...report } = saved as EmulationFile;
  return report;
}
