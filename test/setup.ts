/**
 * Runs before each jest test file. Construct creation stack traces (every CfnElement records
 * where it was created, through source maps) cost the tests several percent of their CPU and no
 * test reads them, so the apps the tests build skip them (and the traces of annotations).
 */
process.env.CDK_CONTEXT_JSON = JSON.stringify({
  ...JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}'),
  'aws:cdk:disable-creation-stack-traces': true,
  'aws:cdk:disable-stack-trace': true,
});

/**
 * jest raises the stack trace limit to 100 frames; aws-cdk-lib still records a stack trace with
 * every `Validations.acknowledge` (the constructs make dozens), each frame mapped through source
 * maps. Node's default depth is enough for a failing test's trace.
 */
Error.stackTraceLimit = 10;
