#!/usr/bin/env bash
# npm test: jest and eslint at the same time. jest keeps one worker per core busy only while it
# has test files left, and eslint runs on one core, so the two side by side finish sooner than one
# after the other. eslint reports here without fixing, since jest reads the same files meanwhile:
# `npm run eslint` fixes what it can.
# In CI (the CI variable set, as .ci/run and CI services do) jest also measures coverage and fails
# below its thresholds (package.json jest.coverageThreshold); measuring it makes every test about a
# third slower, so the local loop leaves it out unless asked: `npm test -- --coverage`.
# Locally eslint also keeps a cache (node_modules/.cache/eslint) and lints only the files changed
# since its last run; a rule that reads other files (import/no-cycle, the type-aware rules) may then
# miss what a change in one file does to another, which CI, linting everything, still finds.
# Other arguments go to jest as well (`npm test -- test/nag.test.ts`).
set -u
# (Only for the whole suite: a subset would fail the thresholds.)
coverage=()
lint_cache=(--cache --cache-strategy content --cache-location node_modules/.cache/eslint/)
case "${CI:-}" in
  '' | 0 | false) ;;
  *)
    lint_cache=()
    if [ "$#" -eq 0 ]; then coverage=(--coverage); fi
    ;;
esac
log="$(mktemp)"
# ESLINT_COMMAND: the eslint task's command without --fix (set by .projenrc.ts on the test task).
# shellcheck disable=SC2086
ESLINT_USE_FLAT_CONFIG=false NODE_NO_WARNINGS=1 ${ESLINT_COMMAND:?run through npm test} ${lint_cache[@]+"${lint_cache[@]}"} >"$log" 2>&1 &
lint=$!
jest ${coverage[@]+"${coverage[@]}"} --passWithNoTests --ci "$@"
tests=$?
wait "$lint"
linted=$?
cat "$log"
rm -f "$log"
if [ "$linted" -ne 0 ]; then echo "eslint failed (exit $linted): npm run eslint fixes what it can" >&2; fi
[ "$tests" -eq 0 ] && [ "$linted" -eq 0 ]
