/* eslint-disable @typescript-eslint/no-explicit-any */
import * as fs from 'fs';
import * as path from 'path';
import { parseCfnYaml } from './cfn-yaml';
import { UsageError } from './usage-error';

/** One CloudFormation template to check: a stack of a cloud assembly, or a template file. */
export interface LoadedTemplate {
  /** The stack's name (the artifact id in an assembly; the file name without `.template.json` otherwise). */
  readonly stackName: string;
  /** The template file, as a path relative to the working directory (forward slashes). */
  readonly file: string;
  /** The template file's absolute path. */
  readonly absoluteFile: string;
  /** The parsed template. */
  readonly template: { [key: string]: any };
  /** The template's text, to find a resource's line. */
  readonly text: string;
  /** Logical id -> construct path (no leading slash), from the assembly's metadata or `aws:cdk:path`. */
  readonly paths: Map<string, string>;
  /** Acknowledgments recorded in the assembly (`Validations.of(construct).acknowledge`). */
  readonly acknowledgments: Acknowledgment[];
}

/** A rule acknowledged on a construct and everything under it. */
export interface Acknowledgment {
  /** The construct path (no leading slash). */
  readonly path: string;
  /** The rule id as written, e.g. `NetworkPatterns-NAT1` or `NetworkPatterns::NetworkPatterns-NAT1`. */
  readonly id: string;
  /** Why. */
  readonly reason: string;
}

/**
 * Reads the inputs of `check`: a cloud assembly directory (`cdk.out`: every artifact of type
 * `aws:cloudformation:stack`, nested assemblies of stages included) or template files (JSON or YAML).
 */
export function loadTemplates(inputs: string[]): LoadedTemplate[] {
  const out: LoadedTemplate[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) {
      throw new UsageError(`the input '${input}' does not exist. Give a cloud assembly directory (cdk.out, written by \`cdk synth\`) or a CloudFormation template file.`);
    }
    if (fs.statSync(input).isDirectory()) {
      if (!fs.existsSync(path.join(input, 'manifest.json'))) {
        throw new UsageError(`the directory '${input}' has no manifest.json, so it is not a cloud assembly. Run \`cdk synth\` (it writes cdk.out/manifest.json) and give that directory, or give template files.`);
      }
      readAssembly(input, out, new Set());
    } else {
      out.push(readTemplateFile(input, undefined, new Map(), []));
    }
  }
  const seen = new Map<string, string>();
  for (const t of out) {
    const other = seen.get(t.stackName);
    if (other !== undefined && other !== t.absoluteFile) {
      throw new UsageError(`two templates are named '${t.stackName}' (${other} and ${t.absoluteFile}). Stack names must be unique to resolve cross-stack imports: check one app at a time.`);
    }
    seen.set(t.stackName, t.absoluteFile);
  }
  // The same file given twice is checked once.
  return out.filter((t, i) => out.findIndex((o) => o.absoluteFile === t.absoluteFile) === i);
}

function readAssembly(dir: string, out: LoadedTemplate[], visited: Set<string>): void {
  const real = fs.realpathSync(dir);
  if (visited.has(real)) return;
  visited.add(real);
  const manifestFile = path.join(dir, 'manifest.json');
  let manifest: any;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch (e) {
    throw new UsageError(`${manifestFile} is not valid JSON (${(e as Error).message}). Synthesize the app again.`);
  }
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact?.type === 'aws:cloudformation:stack') {
      const templateFile = artifact.properties?.templateFile;
      if (typeof templateFile !== 'string') continue;
      const metadata = readMetadata(dir, artifact);
      const paths = new Map<string, string>();
      const acks: Acknowledgment[] = [];
      for (const [p, entries] of Object.entries<any>(metadata)) {
        for (const e of Array.isArray(entries) ? entries : []) {
          const constructPath = p.replace(/^\//, '');
          if (e?.type === 'aws:cdk:logicalId' && typeof e.data === 'string') paths.set(e.data, constructPath);
          if (e?.type === 'aws:cdk:acknowledged-rules' && e.data && typeof e.data === 'object') {
            for (const [ruleId, reason] of Object.entries<any>(e.data)) acks.push({ path: constructPath, id: ruleId, reason: String(reason) });
          }
        }
      }
      out.push(readTemplateFile(path.join(dir, templateFile), artifact.properties?.stackName ?? id, paths, acks, artifact.displayName));
    } else if (artifact?.type === 'cdk:cloud-assembly') {
      const nested = artifact.properties?.directoryName;
      if (typeof nested === 'string') readAssembly(path.join(dir, nested), out, visited);
    }
  }
}

function readMetadata(dir: string, artifact: any): { [path: string]: any[] } {
  const merged: { [path: string]: any[] } = { ...(artifact.metadata ?? {}) };
  if (typeof artifact.additionalMetadataFile === 'string') {
    const file = path.join(dir, artifact.additionalMetadataFile);
    if (fs.existsSync(file)) {
      for (const [p, entries] of Object.entries<any>(JSON.parse(fs.readFileSync(file, 'utf8')))) {
        merged[p] = [...(merged[p] ?? []), ...(Array.isArray(entries) ? entries : [])];
      }
    }
  }
  return merged;
}

function readTemplateFile(
  file: string,
  stackName: string | undefined,
  paths: Map<string, string>,
  acknowledgments: Acknowledgment[],
  displayName?: string,
): LoadedTemplate {
  const text = fs.readFileSync(file, 'utf8');
  let template: any;
  const yaml = /\.ya?ml$/i.test(file) || !/^\s*\{/.test(text);
  try {
    template = yaml ? parseCfnYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not a CloudFormation template in ${yaml ? 'YAML' : 'JSON'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!template || typeof template !== 'object' || typeof template.Resources !== 'object' || template.Resources === null) {
    throw new UsageError(`${file} has no Resources section, so it is not a CloudFormation template. Give the stack templates (*.template.json) or the cdk.out directory.`);
  }
  // Resources carry their construct path as `aws:cdk:path` metadata when the CDK CLI synthesized them.
  const allPaths = new Map(paths);
  for (const [logicalId, r] of Object.entries<any>(template.Resources)) {
    const p = r?.Metadata?.['aws:cdk:path'];
    if (!allPaths.has(logicalId) && typeof p === 'string') allPaths.set(logicalId, p);
  }
  const name = stackName ?? displayName ?? path.basename(file).replace(/\.template\.json$|\.(json|ya?ml|template)$/i, '');
  return {
    stackName: name,
    file: path.relative(process.cwd(), file).split(path.sep).join('/'),
    absoluteFile: path.resolve(file),
    template,
    text,
    paths: allPaths,
    acknowledgments,
  };
}

/** The 1-based line where a resource's logical id is defined in a template's text, when found. */
export function resourceLine(t: LoadedTemplate, logicalId: string): number | undefined {
  const esc = logicalId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = t.text.search(/["']?Resources["']?\s*:/);
  if (start < 0) return undefined;
  const re = new RegExp(`^[ \\t]*["']?${esc}["']?[ \\t]*:`, 'm');
  const m = re.exec(t.text.slice(start));
  if (!m) return undefined;
  return t.text.slice(0, start + m.index).split('\n').length;
}
