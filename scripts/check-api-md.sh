#!/usr/bin/env bash
# Runs after docgen in the build: in CI (CI set), fails when API.md is not committed or differs
# from what jsii-docgen just wrote, so the committed API docs always match the code.
set -euo pipefail
[ -n "${CI:-}" ] || exit 0
if [ -n "$(git status --porcelain -- API.md)" ]; then
  git diff --stat -- API.md || true
  echo "API.md is missing or stale: run 'npx projen build' and commit API.md" >&2
  exit 1
fi
