#!/usr/bin/env bash
# Counts the vector operations of each activation's hot loop in this
# machine's build: the figures of the README's issue-width bound.
#
#   scripts/count-kernel-ops.sh [--acts relu,elu,...]
#
# For each activation it runs `basinmap bench` (f32, one thread) under
# `perf record`, takes the innermost loop that holds most samples from
# `perf annotate`, and counts its instructions by kind. "vector ops" are
# the ones that need a vector port (arithmetic, compares, selects, mask
# tests, divisions); register moves (renamed away), broadcasts and
# spills/reloads (load and store ports) are listed apart. elu and selu's
# loop holds both paths, so their count is that of the exponential's path.
# Lanes per loop pass: 32 (two AVX-512 registers) or 16 (one; elu, selu and
# gelu), reported per 32 lanes either way.
#
# Needs perf and python3, and an AVX-512 CPU for the figures to mean what
# the README says.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ACTS="relu,elu,selu,softplus,gelu,silu,tanh"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --acts) ACTS="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "count-kernel-ops: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v perf >/dev/null || { echo "count-kernel-ops: needs perf" >&2; exit 1; }

(cd "$ROOT" && cargo build --release --locked -q)
BIN="$ROOT/target/release/basinmap"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

printf '%-10s %6s %11s %10s %10s %9s %9s\n' activation lanes "vector ops" divisions "reg moves" broadcasts spills
for act in ${ACTS//,/ }; do
  perf record -q -o "$WORK/$act.data" "$BIN" bench --act "$act" --precision f32 \
    --n 1024 --models 2048 --steps 300 --repeats 1 --threads 1 >/dev/null 2>&1
  symbol="$(perf report -i "$WORK/$act.data" --stdio 2>/dev/null | grep -v '^#' \
    | grep -m1 'with_avx512' | awk '{print $NF}')"
  [[ -n "$symbol" ]] || { echo "count-kernel-ops: no AVX-512 kernel in the profile of $act" >&2; exit 1; }
  perf annotate -i "$WORK/$act.data" --stdio -s "$symbol" >"$WORK/$act.asm" 2>/dev/null
  python3 - "$WORK/$act.asm" "$act" <<'EOF'
import re, sys
text, act = open(sys.argv[1]).read().split("\n"), sys.argv[2]
rows = []
for line in text:
    m = re.match(r"\s*([\d.]+)\s*:\s*([0-9a-f]+):\s*(\S+)\s*(.*)", line)
    if m:
        rows.append((float(m.group(1)), int(m.group(2), 16), m.group(3), m.group(4)))
best = None
for _, at, op, rest in rows:
    target = re.match(r"([0-9a-f]+)", rest)
    if op.startswith("j") and target and int(target.group(1), 16) < at:
        body = [r for r in rows if int(target.group(1), 16) <= r[1] <= at]
        share = sum(r[0] for r in body)
        if len(body) < 400 and (best is None or share > best[0]):
            best = (share, body)
share, body = best
kinds = {"vector": 0, "div": 0, "move": 0, "broadcast": 0, "spill": 0}
for _, _, op, rest in body:
    if op.startswith("vmov"):
        kinds["spill" if "(" in rest else "move"] += 1
    elif "broadcast" in op:
        kinds["broadcast"] += 1
    elif op.startswith(("v", "k")):
        kinds["vector"] += 1
        kinds["div"] += op.startswith("vdiv")
# One register per lane group (16 f32 lanes) or two (32), as
# `paired_registers` in src/train/dispatch.rs chooses.
lanes = 16 if act in ("elu", "selu", "gelu") else 32
per32 = 32 // lanes
print(f"{act:<10} {lanes:>6} {kinds['vector'] * per32:>11} {kinds['div'] * per32:>10}"
      f" {kinds['move'] * per32:>10} {kinds['broadcast'] * per32:>9} {kinds['spill'] * per32:>9}")
EOF
done
