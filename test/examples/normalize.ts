import { Template } from 'aws-cdk-lib/assertions';

/** The template with asset hashes replaced, so snapshots don't churn on unrelated bundling changes. */
export function normalizedTemplate(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}
