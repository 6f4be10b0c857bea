import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { NetworkPatternsChecks } from '../src/nag';

/** Three fixed AZs, so tests synthesize without AWS credentials. */
export const TEST_AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** A fresh env-agnostic stack in a fresh app. */
export function testStack(id = 'Test'): Stack {
  return new Stack(new App(), id);
}

/** Unacknowledged rule findings, as `RuleId @ construct path`; by default AwsSolutions and the library's own pack. */
export function nagFindings(
  scope: IConstruct,
  packs: Array<{ validateScope(s: IConstruct): any }> = [new AwsSolutionsChecks(), new NetworkPatternsChecks()],
): string[] {
  const out: string[] = [];
  for (const pack of packs) {
    const report = pack.validateScope(scope);
    for (const v of report.violations ?? []) {
      for (const r of v.violatingResources) out.push(`${v.ruleName} @ ${r.constructPath}`);
    }
  }
  return out.sort();
}
