#!/usr/bin/env bash
# Checks that the library works with an older aws-cdk-lib than the one it is developed against,
# the lowest version its peer dependency admits (package.json "peerDependencies").
#
# Usage: bash scripts/check-peer-floor.sh [aws-cdk-lib version] [jest path ...]
#   version   default: the floor of the aws-cdk-lib peer range in package.json
#   jest path default: every test suite except the example apps' (test/examples.test.ts)
#
# It copies the working tree to a scratch directory outside the repository ($PEER_CHECK_DIR,
# default /tmp/peer-check), links this checkout's node_modules there except aws-cdk-lib (the
# requested version, from the npm registry) and cdk-nag (copied, so that it loads the same
# aws-cdk-lib), then type-checks the library and its tests and runs the tests. The example apps
# are left out: they are applications pinned to the development aws-cdk-lib.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
FLOOR="$(node -p 'require("./package.json").peerDependencies["aws-cdk-lib"].replace(/^[\^~>=]+/, "")')"
VERSION="${1:-$FLOOR}"
shift || true
DIR="${PEER_CHECK_DIR:-/tmp/peer-check}"
case "$DIR" in "$REPO"*) echo "PEER_CHECK_DIR must be outside the repository" >&2; exit 2;; esac

echo "== aws-cdk-lib $VERSION in $DIR"
rm -rf "$DIR" && mkdir -p "$DIR/node_modules"
git ls-files -co --exclude-standard | grep -v '^node_modules/' | tar -cf - -T - | tar -xf - -C "$DIR"
for entry in "$REPO"/node_modules/* "$REPO"/node_modules/.bin; do
  name="$(basename "$entry")"
  case "$name" in
    aws-cdk-lib|cdk-nag) ;;
    @*) mkdir -p "$DIR/node_modules/$name"; for sub in "$entry"/*; do ln -s "$sub" "$DIR/node_modules/$name/$(basename "$sub")"; done ;;
    *) ln -s "$entry" "$DIR/node_modules/$name" ;;
  esac
done
cp -r "$REPO/node_modules/cdk-nag" "$DIR/node_modules/cdk-nag"
(cd "$DIR" && npm pack --silent "aws-cdk-lib@$VERSION" >/dev/null && mkdir node_modules/aws-cdk-lib \
  && tar -xzf aws-cdk-lib-*.tgz -C node_modules/aws-cdk-lib --strip-components=1 && rm aws-cdk-lib-*.tgz)
node -e "const v=require('$DIR/node_modules/aws-cdk-lib/package.json').version; if (v !== '$VERSION') { console.error('installed ' + v); process.exit(1); }"

cd "$DIR"
# The library and its tests; the example apps are pinned to the development aws-cdk-lib.
cat > tsconfig.peer-check.json <<'JSON'
{ "extends": "./test/tsconfig.json", "include": ["src/**/*.ts", "test/**/*.ts"], "exclude": ["test/examples/**", "test/examples.test.ts"] }
JSON
echo "== type-check src and test (tsc --noEmit -p tsconfig.peer-check.json)"
npx tsc --noEmit -p tsconfig.peer-check.json
echo "== tests"
if [ "$#" -eq 0 ]; then set -- --testPathIgnorePatterns '/test/examples\.test\.ts$'; fi
CDK_VALIDATION=false npx jest --ci --maxWorkers=1 "$@"
echo "== aws-cdk-lib $VERSION: OK"
