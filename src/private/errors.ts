import { IConstruct } from 'constructs';

/**
 * Builds the library's synth-time error: the construct path, the property, the value received,
 * what is allowed and what to do instead (CONVENTIONS.md, "Validation").
 */
export function propError(scope: IConstruct, prop: string, value: unknown, problem: string, fix: string): Error {
  return new Error(`${scope.node.path}: ${prop} ${problem}, got ${formatValue(value)}. ${fix}`);
}

/** Renders a received value for an error message. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (value === undefined) return 'undefined';
  return JSON.stringify(value) ?? String(value);
}
