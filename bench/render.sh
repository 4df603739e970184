#!/usr/bin/env bash
# Rendering a task with 10 template expressions (aim: under 20 µs), beside a hand-written
# baseline measured in the same run. See crates/flow/benches/render.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --quiet -p sluice-flow --bench render
