import { Stack } from 'aws-cdk-lib';
import { NetworkPatternsChecks } from '../../src';

/** What a `validateScope` violation looks like (aws-cdk-lib's PolicyViolation, as cdk-nag fills it). */
export interface Violation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity?: string;
  readonly violatingResources: Array<{ constructPath: string }>;
}

/** Every violation of the pack on `stack`. */
export function violations(stack: Stack): Violation[] {
  return new NetworkPatternsChecks().validateScope(stack).violations as Violation[];
}

/** The construct paths `ruleId` (e.g. `NetworkPatterns-SG1`) reports on `stack`, sorted. */
export function findingsOf(stack: Stack, ruleId: string): string[] {
  return violations(stack)
    .filter((v) => v.ruleName === ruleId)
    .flatMap((v) => v.violatingResources.map((r) => r.constructPath))
    .sort();
}
