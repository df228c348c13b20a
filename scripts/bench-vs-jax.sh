#!/usr/bin/env bash
# basinmap against a JAX baseline of the same workload, on this machine.
#
#   scripts/bench-vs-jax.sh [--models M] [--steps S] [--n N] [--acts a,b,...]
#                           [--threads T] [--repeats R] [--chunks 128,256,...]
#                           [--no-single] [--out DIR]
#   scripts/bench-vs-jax.sh --check [--acts selu,softplus] [--steps 2000] [--n N]
#
# What it does, unattended:
#   1. creates (or reuses) a Python venv at
#      ${BASINMAP_JAX_VENV:-$HOME/.cache/basinmap/jax-venv} with the JAX
#      (CPU) pinned in scripts/requirements-jax.txt, from PyPI with pip;
#   2. builds basinmap in release mode (cargo build --release);
#   3. writes the training x values with `basinmap data --n N --data-seed 0`
#      (fixed data, float32), so both sides train on exactly the same points;
#   4. per activation: `basinmap bench --act A --precision f32 --kernel
#      direct,auto` (1 thread and T threads); `basinmap run` end to end on
#      a sqrt(M) x sqrt(M) c-d plane with each kernel (process start, sweep,
#      runs table, maps); and scripts/jax_baseline.py (jax.jit(jax.vmap(
#      train_one)) per chunk of models, lax.scan over steps) at every chunk
#      size of --chunks (default 128,256,512,1024,4096: JAX is fastest with
#      chunks whose intermediates stay in cache; 4096 is all in one call),
#      with all threads, then at its best chunk size on one core;
#   5. prints one row per activation, in seconds: JAX at its best chunk
#      size and all in one call, basinmap end to end and its kernel alone
#      with each kernel, the ratios against JAX's best, and one thread
#      against one core.
#
# Sample-steps/s = models x steps x data points / seconds, seconds being the
# median of R timed repetitions (default 5). JAX is compiled and run once
# before timing, so neither compilation nor the first run is counted.
#
# How JAX is held to one thread: `taskset -c <one cpu>` (the process, and so
# every XLA/Eigen worker thread, may run on one core only) plus
# XLA_FLAGS=--xla_cpu_multi_thread_eigen=false (Eigen's own thread pool off).
# The "all threads" JAX run has neither; with --threads T it is pinned to T
# cpus with taskset. Without taskset the one-thread JAX run only gets the flag,
# and the script says so.
#
# --check trains the starts (a,b,c,d) = (1,0.5,1,-0.5) and (1,0.5,1,0) for
# --steps (default 2000) with `basinmap train --trace` and with JAX, and prints
# how far apart the parameters are at checkpoints and at the end.
#
# Environment: BASINMAP_JAX_VENV (venv folder), PYTHON (interpreter that makes
# the venv, default python3, needs >= 3.11), CARGO (default cargo).

set -euo pipefail

die() { echo "bench-vs-jax: error: $*" >&2; exit 1; }
say() { echo "bench-vs-jax: $*" >&2; }

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPTS="$ROOT/scripts"
VENV="${BASINMAP_JAX_VENV:-$HOME/.cache/basinmap/jax-venv}"
REQS="$SCRIPTS/requirements-jax.txt"
PYTHON_BOOT="${PYTHON:-python3}"
CARGO="${CARGO:-cargo}"

MODELS=4096
STEPS=""
N=1024
ACTS=""
THREADS=""
REPEATS=5
CHUNKS="128,256,512,1024,4096"
SINGLE=1
CHECK=0
OUT=""

need_value() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value (see --help)"; }
positive_int() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, got '$2'"; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --models) need_value "$@"; positive_int "$1" "$2"; MODELS="$2"; shift 2 ;;
        --steps) need_value "$@"; positive_int "$1" "$2"; STEPS="$2"; shift 2 ;;
        --n) need_value "$@"; positive_int "$1" "$2"; N="$2"; shift 2 ;;
        --acts) need_value "$@"; ACTS="$2"; shift 2 ;;
        --threads) need_value "$@"; positive_int "$1" "$2"; THREADS="$2"; shift 2 ;;
        --repeats) need_value "$@"; positive_int "$1" "$2"; REPEATS="$2"; shift 2 ;;
        --chunks) need_value "$@"; [[ "$2" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--chunks must be a comma list of positive integers, got '$2'"; CHUNKS="$2"; shift 2 ;;
        --no-single) SINGLE=0; shift ;;
        --check) CHECK=1; shift ;;
        --out) need_value "$@"; OUT="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

if [[ $CHECK -eq 1 ]]; then
    ACTS="${ACTS:-selu,softplus}"
    STEPS="${STEPS:-2000}"
else
    ACTS="${ACTS:-relu,elu,selu,softplus,gelu,silu,tanh}"
    STEPS="${STEPS:-200}"
fi
IFS=',' read -r -a ACT_LIST <<< "$ACTS"
[[ ${#ACT_LIST[@]} -gt 0 ]] || die "--acts is empty"
for a in "${ACT_LIST[@]}"; do
    case "$a" in
        relu|leaky_relu|elu|selu|softplus|gelu|silu|tanh) ;;
        *) die "unknown activation '$a' (relu, leaky_relu, elu, selu, softplus, gelu, silu, tanh)" ;;
    esac
done

# The cpus this process may use, as a list, for taskset.
allowed_cpus() {
    local list
    if list=$(python_any -c 'import os; print(",".join(map(str, sorted(os.sched_getaffinity(0)))))' 2>/dev/null); then
        echo "$list"
    else
        seq -s, 0 $(( $(nproc) - 1 ))
    fi
}
python_any() { "$PYTHON_BOOT" "$@"; }

CORES=$(nproc)
THREADS="${THREADS:-$CORES}"

# ---------------------------------------------------------------- 1. venv
setup_venv() {
    local py="$VENV/bin/python"
    local stamp="$VENV/.basinmap-requirements"
    if [[ -x "$py" ]] && cmp -s "$REQS" "$stamp" && "$py" -c 'import jax' 2>/dev/null; then
        say "reusing the JAX venv at $VENV"
        return
    fi
    if [[ ! -x "$py" ]]; then
        command -v "$PYTHON_BOOT" >/dev/null 2>&1 \
            || die "no '$PYTHON_BOOT' to create the venv with; install Python >= 3.11 or set PYTHON"
        "$PYTHON_BOOT" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
            || die "$("$PYTHON_BOOT" --version 2>&1) is too old: JAX in $REQS needs Python >= 3.11 (set PYTHON to a newer one)"
        say "creating a Python venv at $VENV"
        mkdir -p "$(dirname "$VENV")"
        "$PYTHON_BOOT" -m venv "$VENV" \
            || die "'$PYTHON_BOOT -m venv $VENV' failed (on Debian/Ubuntu: apt-get install python3-venv)"
    fi
    say "installing JAX into $VENV (pip install -r $REQS)"
    local log="$VENV/pip-install.log"
    if ! "$py" -m pip install --disable-pip-version-check -r "$REQS" >"$log" 2>&1; then
        tail -n 25 "$log" >&2
        die "pip could not install JAX from $REQS (full log: $log). Is PyPI reachable? Does a jaxlib wheel exist for this Python ($("$py" --version 2>&1)) and platform ($(uname -m))?"
    fi
    "$py" -c 'import jax, jax.numpy as jnp; jnp.ones(2).sum().block_until_ready()' \
        || die "JAX was installed into $VENV but does not import or run; see $log"
    cp "$REQS" "$stamp"
}
setup_venv
PY="$VENV/bin/python"
JAX_VERSION=$("$PY" -c 'import jax, jaxlib; print(f"jax {jax.__version__}, jaxlib {jaxlib.__version__}")')

# ---------------------------------------------------------------- 2. build
say "building basinmap (cargo build --release)"
command -v "$CARGO" >/dev/null 2>&1 || die "no '$CARGO' on PATH to build basinmap with"
(cd "$ROOT" && "$CARGO" build --release --quiet) || die "cargo build --release failed"
BIN="$ROOT/target/release/basinmap"
[[ -x "$BIN" ]] || die "the build left no $BIN"

# ---------------------------------------------------------------- 3. data
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-vs-jax.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
if [[ -n "$OUT" ]]; then
    mkdir -p "$OUT" || die "cannot create --out $OUT"
    OUT="$(cd "$OUT" && pwd)"
fi

X="$WORK/x.txt"
"$BIN" data --n "$N" --data-seed 0 > "$X" || die "basinmap data --n $N --data-seed 0 failed"
[[ $(wc -l < "$X") -eq $N ]] || die "basinmap data printed $(wc -l < "$X") values, expected $N"

CPUS=$(allowed_cpus)
IFS=',' read -r -a CPU_LIST <<< "$CPUS"
HAVE_TASKSET=0
command -v taskset >/dev/null 2>&1 && HAVE_TASKSET=1
[[ $HAVE_TASKSET -eq 1 ]] || say "warning: no taskset; JAX's one-thread run only gets XLA_FLAGS=--xla_cpu_multi_thread_eigen=false"

ONE_FLAGS="${XLA_FLAGS:+$XLA_FLAGS }--xla_cpu_multi_thread_eigen=false"

# jax_run MODE args...: MODE is all or one.
jax_run() {
    local mode="$1"; shift
    local pin=()
    if [[ $mode == one ]]; then
        [[ $HAVE_TASKSET -eq 1 ]] && pin=(taskset -c "${CPU_LIST[0]}")
        XLA_FLAGS="$ONE_FLAGS" "${pin[@]}" "$PY" "$SCRIPTS/jax_baseline.py" "$X" "$@"
    else
        if [[ $HAVE_TASKSET -eq 1 && $THREADS -lt ${#CPU_LIST[@]} ]]; then
            pin=(taskset -c "$(IFS=,; echo "${CPU_LIST[*]:0:$THREADS}")")
        fi
        "${pin[@]}" "$PY" "$SCRIPTS/jax_baseline.py" "$X" "$@"
    fi
}

# ---------------------------------------------------------------- --check
if [[ $CHECK -eq 1 ]]; then
    say "check: ${ACTS} from (1,0.5,1,-0.5) and (1,0.5,1,0), $STEPS steps, $N points, f32, adam tf1"
    for a in "${ACT_LIST[@]}"; do
        for d in -0.5 0; do
            "$BIN" train --act "$a" --start "1,0.5,1,$d" --steps "$STEPS" --n "$N" --data-seed 0 \
                --precision f32 --trace "$WORK/trace_${a}_${d}.csv" --json > "$WORK/train_${a}_${d}.json" \
                || die "basinmap train --act $a --start 1,0.5,1,$d failed"
        done
    done
    jax_run all --check --acts "$ACTS" --steps "$STEPS" --starts "1,0.5,1,-0.5;1,0.5,1,0" > "$WORK/jax_check.jsonl" \
        || die "jax_baseline.py --check failed"
    [[ -n "$OUT" ]] && cp "$WORK"/*.csv "$WORK"/*.json "$WORK"/*.jsonl "$OUT"/
    echo "# basinmap vs JAX ($JAX_VERSION), f32, fixed data n=$N seed 0, $STEPS steps"
    "$PY" - "$WORK" <<'EOF'
import csv, json, sys
import numpy as np
from scipy.special import erf

# Each side's final parameters scored the same way, in f64 on the evaluation
# grid of SPEC section 2 (1001 points of [-0.5, 0.5]); converged means < 0.03.
LAM, ALPHA = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717
F = {
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "selu": lambda z: LAM * np.where(z > 0, z, ALPHA * np.expm1(np.minimum(z, 0.0))),
    "softplus": lambda z: np.logaddexp(0.0, z),
    "gelu": lambda z: 0.5 * z * (1.0 + erf(z / np.sqrt(2.0))),
    "silu": lambda z: z / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
}
GRID = np.linspace(-0.5, 0.5, 1001)
def eval_loss(act, p):
    a, b, c, d = p
    return float(np.mean(np.abs(c * F[act](a * GRID + b) + d - np.maximum(GRID, 0.0))))

work = sys.argv[1]
for line in open(f"{work}/jax_check.jsonl"):
    j = json.loads(line)
    act, d = j["activation"], j["start"][3]
    dname = "-0.5" if d == -0.5 else "0"
    bm = json.load(open(f"{work}/train_{act}_{dname}.json"))
    rows = {int(r["step"]): [float(r[k]) for k in "abcd"] for r in csv.DictReader(open(f"{work}/trace_{act}_{dname}.csv"))}
    print(f"\n{act}, start a,b,c,d = 1,0.5,1,{dname}  (basinmap label: {bm['label']})")
    print(f"  {'step':>5}  {'max|Δθ|':>9}   {'basinmap a, b, c, d':<44} {'JAX a, b, c, d':<44}")
    for s, jt in j["trajectory"].items():
        b = rows[int(s)]
        diff = max(abs(x - y) for x, y in zip(b, jt))
        fb = ", ".join(f"{v:9.5f}" for v in b)
        fj = ", ".join(f"{v:9.5f}" for v in jt)
        print(f"  {s:>5}  {diff:9.2e}   {fb:<44} {fj:<44}")
    b, jt = rows[max(rows)], list(j["final"].values())
    print(f"  final evaluation loss (f64 grid, converged < 0.03): basinmap {eval_loss(act, b):.4f}, JAX {eval_loss(act, jt):.4f}")
EOF
    exit 0
fi

# ---------------------------------------------------------------- 4. bench
say "workload: ${MODELS} models x ${STEPS} steps x ${N} points, f32, median of ${REPEATS}; threads: ${THREADS} (cpus ${CPUS})"
say "JAX: $JAX_VERSION, chunk sizes ${CHUNKS}; basinmap: $BIN"
BM="$WORK/basinmap.txt"
E2E="$WORK/end_to_end.txt"
JAX_ALL="$WORK/jax_all.jsonl"
JAX_ONE="$WORK/jax_one.jsonl"
: > "$BM"; : > "$E2E"; : > "$JAX_ALL"; : > "$JAX_ONE"
SIDE=$("$PY" -c "import math; print(math.isqrt($MODELS))")
[[ $((SIDE * SIDE)) -eq $MODELS ]] || die "--models must be a square (the end-to-end run is a SIDE x SIDE c-d plane), got $MODELS"

# end_to_end ACT KERNEL: median wall seconds of `basinmap run` (process
# start, sweep, runs table, maps) on the SIDE x SIDE c-d plane.
end_to_end() {
    local act="$1" kernel="$2" spec="$WORK/plane_$1_$2.toml"
    printf '%s\n' "name = \"bench-$act-$kernel\"" "activations = [\"$act\"]" "[grid]" "a = 1.0" "b = 0.5" \
        "c = { from = -2.0, to = 2.0, points = $SIDE }" "d = { from = -2.0, to = 2.0, points = $SIDE }" \
        "[train]" "steps = $STEPS" "kernel = \"$kernel\"" "data = { mode = \"fixed\", n = $N, seed = 0 }" > "$spec"
    "$PY" - "$BIN" "$spec" "$WORK/e2e" "$THREADS" "$REPEATS" "$act" "$kernel" >> "$E2E" <<'PYEOF' \
        || die "basinmap run $spec failed"
import shutil, statistics, subprocess, sys, time
binary, spec, out, threads, repeats, act, kernel = sys.argv[1:8]
times = []
for _ in range(int(repeats)):
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run([binary, "run", spec, "--out", out, "--threads", threads, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    times.append(time.perf_counter() - t0)
print(act, kernel, statistics.median(times))
PYEOF
}

for a in "${ACT_LIST[@]}"; do
    # Interleaved per activation, so that load from elsewhere hits both sides alike.
    say "$a: basinmap bench (direct and auto)"
    "$BIN" bench --act "$a" --precision f32 --kernel direct,auto --models "$MODELS" --steps "$STEPS" --n "$N" \
        --repeats "$REPEATS" --threads "$THREADS" > "$WORK/bm_$a.txt" \
        || die "basinmap bench --act $a failed"
    tail -n +2 "$WORK/bm_$a.txt" >> "$BM"
    say "$a: basinmap run, end to end (direct and auto)"
    end_to_end "$a" direct
    end_to_end "$a" auto
    say "$a: JAX, all threads, chunks of ${CHUNKS} models"
    jax_run all --acts "$a" --models "$MODELS" --steps "$STEPS" --repeats "$REPEATS" --chunks "$CHUNKS" --label all >> "$JAX_ALL" \
        || die "jax_baseline.py --acts $a failed"
    if [[ $SINGLE -eq 1 ]]; then
        best=$("$PY" -c "import json; r=[json.loads(l) for l in open('$JAX_ALL')]; print(min((j for j in r if j['activation']=='$a'), key=lambda j: j['seconds_median'])['chunk'])")
        say "$a: JAX, one thread, chunks of $best"
        jax_run one --acts "$a" --models "$MODELS" --steps "$STEPS" --repeats "$REPEATS" --chunks "$best" --label one >> "$JAX_ONE" \
            || die "jax_baseline.py --acts $a (one thread) failed"
    fi
done
[[ -n "$OUT" ]] && cp "$BM" "$E2E" "$JAX_ALL" "$JAX_ONE" "$X" "$OUT"/

# ---------------------------------------------------------------- 5. table
echo "# basinmap vs JAX at its best chunk size: ${MODELS} models (${SIDE} x ${SIDE} c-d plane) x ${STEPS} steps x ${N} points, f32, fixed data (seed 0), medians of ${REPEATS}, seconds"
echo "# $JAX_VERSION, jit(vmap) per chunk of models, chunk sizes ${CHUNKS}; basinmap $("$BIN" --version | awk '{print $2}'); $(nproc) cpus, $(uname -m), ${THREADS} threads"
echo "# JAX best (chunk) = fastest chunk size; JAX one call = all ${MODELS} models in one call; run = basinmap run end to end (process, sweep, CSV, maps); bench = basinmap bench (kernel only)"
"$PY" - "$BM" "$E2E" "$JAX_ALL" "$JAX_ONE" "$THREADS" "$MODELS" "${ACT_LIST[@]}" <<'PYEOF'
import json, sys
bm_path, e2e_path, all_path, one_path, threads, models = sys.argv[1:7]
acts = sys.argv[7:]
threads, models = int(threads), int(models)
bench = {}
for line in open(bm_path):
    f = line.split()
    if len(f) == 7 and f[1] == "f32":
        bench[(f[0], f[2], int(f[4]))] = float(f[6])
e2e = {}
for line in open(e2e_path):
    a, k, sec = line.split()
    e2e[(a, k)] = float(sec)
jall = {}
for j in map(json.loads, filter(str.strip, open(all_path))):
    jall.setdefault(j["activation"], []).append(j)
jone = {j["activation"]: j for j in map(json.loads, filter(str.strip, open(one_path)))}
fmt = lambda v: f"{v:.3f}" if v is not None else "-"
print(f"{'activation':<11} {'JAX best (chunk)':>16} {'JAX one call':>12} {'run direct':>10} {'ratio':>6} {'run auto':>9} {'ratio':>6} {'bench direct':>12} {'bench auto':>10} {'T thr/1 thr':>11} {'JAX 1 core':>10} {'bench 1 thr':>11} {'ratio':>6}")
missing = False
for a in acts:
    runs = jall.get(a, [])
    if not runs:
        missing = True
        continue
    best = min(runs, key=lambda j: j["seconds_median"])
    whole = [j for j in runs if j["chunk"] == models]
    whole_s = fmt(whole[0]["seconds_median"]) if whole else "-"
    rd, ra = e2e.get((a, "direct")), e2e.get((a, "auto"))
    bd, ba = bench.get((a, "direct", threads)), bench.get((a, "auto", threads))
    b1 = bench.get((a, "direct", 1))
    scale = f"{b1 / bd:.2f}x" if b1 and bd and threads > 1 else "-"
    one = jone.get(a)
    one_ratio = f"{one['seconds_median'] / b1:.1f}x" if one and b1 else "-"
    ratio = lambda v: f"{best['seconds_median'] / v:.1f}x" if v else "-"
    missing |= None in (rd, ra, bd, ba)
    print(f"{a:<11} {fmt(best['seconds_median']):>9} ({best['chunk']:>4}) {whole_s:>12} {fmt(rd):>10} {ratio(rd):>6} {fmt(ra):>9} {ratio(ra):>6} {fmt(bd):>12} {fmt(ba):>10} {scale:>11} {fmt(one['seconds_median'] if one else None):>10} {fmt(b1):>11} {one_ratio:>6}")
busy = ", ".join(f"{a} {min(jall[a], key=lambda j: j['seconds_median'])['cores_busy']:.2f}" for a in acts if a in jall)
if busy:
    print(f"# cores JAX (best chunk) kept busy: {busy}")
for a in acts:
    if a in jall:
        print(f"# JAX {a}, seconds by chunk: " + ", ".join(f"{j['chunk']}: {j['seconds_median']:.3f}" for j in sorted(jall[a], key=lambda j: j["chunk"])))
if missing:
    sys.exit("bench-vs-jax: error: a measurement is missing from the table (see the messages above)")
PYEOF
