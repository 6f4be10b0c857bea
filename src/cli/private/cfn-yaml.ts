import { parse, ScalarTag, CollectionTag, YAMLMap, YAMLSeq } from 'yaml';

/**
 * The short forms of CloudFormation's intrinsic functions in YAML (`!Ref x`, `!GetAtt a.b`,
 * `!Sub ...`), turned into their JSON forms (`{ Ref: x }`, `{ 'Fn::GetAtt': [a, b] }`).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
const FUNCTIONS = ['And', 'Base64', 'Cidr', 'Equals', 'FindInMap', 'GetAZs', 'If', 'ImportValue', 'Join', 'Length', 'Not', 'Or',
  'Select', 'Split', 'Sub', 'ToJsonString', 'Transform', 'GetAtt'];

function fnName(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

function tags(): Array<ScalarTag | CollectionTag> {
  const out: Array<ScalarTag | CollectionTag> = [];
  for (const name of [...FUNCTIONS, 'Ref', 'Condition']) {
    const key = fnName(name);
    // `!GetAtt Resource.Attribute` is the scalar form of `[Resource, Attribute]`.
    const scalar = (s: string) => (name === 'GetAtt' ? { [key]: splitOnce(s) } : { [key]: s });
    out.push({ tag: `!${name}`, resolve: (s: string) => scalar(s) } as ScalarTag);
    out.push({ tag: `!${name}`, collection: 'seq', resolve: (seq: YAMLSeq) => ({ [key]: seq.toJSON() }) } as unknown as CollectionTag);
    out.push({ tag: `!${name}`, collection: 'map', resolve: (map: YAMLMap) => ({ [key]: map.toJSON() }) } as unknown as CollectionTag);
  }
  return out;
}

function splitOnce(s: string): string[] {
  const i = s.indexOf('.');
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
}

/** Parses a CloudFormation template written in YAML, short-form intrinsic functions included. */
export function parseCfnYaml(text: string): unknown {
  return parse(text, { customTags: tags() });
}
