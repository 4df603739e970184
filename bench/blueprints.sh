#!/usr/bin/env bash
# Breadth, measured as a new user would: `sluice flow validate` on every flow of Kestra's public
# blueprints (github.com/kestra-io/blueprints, or a folder given as $1), and why the others fail:
# the most frequent error codes and the unknown types and properties behind them.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
src="${1:-}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [[ -z "$src" ]]; then
  git clone --quiet --depth 1 https://github.com/kestra-io/blueprints "$dir/repo"
  src="$dir/repo/flows"
fi
cargo build --quiet --bin sluice
"${CARGO_TARGET_DIR:-target}/debug/sluice" flow validate --format json "$src" > "$dir/out.json" || true
python3 - "$dir/out.json" <<'PY'
import collections, json, re, sys
files = json.load(open(sys.argv[1]))["files"]
ok = sum(f["valid"] for f in files)
print(f"valid: {ok} of {len(files)} flows ({100 * ok / max(len(files), 1):.1f}%)")
why = collections.Counter()
for f in files:
    errs = [d for d in f["diagnostics"] if d["severity"] == "error"]
    for d in errs:
        m = d["message"]
        key = d["code"] + ": " + (re.search(r"`[^`]+`", m).group(0) if d["code"] in ("unknown-type", "unknown-property", "unknown-input-type") and "`" in m else re.sub(r"`[^`]*`", "`…`", m))
        why[key] += 1
    if len(errs) == 1:
        why["(only error) " + errs[0]["code"]] += 1
for k, n in why.most_common(int(__import__("os").environ.get("TOP", "40"))):
    print(f"{n:5}  {k}")
PY
