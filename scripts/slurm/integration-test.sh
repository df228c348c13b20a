#!/usr/bin/env bash
# Integration test of the SLURM scripts against a real single-node SLURM
# (scripts/slurm/local-cluster.sh; needs root, installs slurm-wlm and munge
# from Debian's packages when they are missing).
#
#   scripts/slurm/integration-test.sh
#
# 1. "array": a small sweep submitted as a 3-task array with submit.sh gives
#    exactly the rows of a local unsharded run, `status` says complete and the
#    dependent render job runs after the array.
# 2. "resubmit": a heavier sweep as a 3-task array; one task is cancelled
#    with scancel mid-run (as a preemption would) and another's basinmap is
#    killed with SIGKILL (as a crash would); `status` shows both shards
#    incomplete; resubmitting just those two tasks (submit.sh --only 1,2)
#    completes the sweep with exactly the rows of a local unsharded run, none
#    duplicated.
#
# 3. "refined": a refined plane ([refine] levels = 2) submitted as one
#    3-task array per level gives exactly the rows of a local run.
#
# Settings (environment):
#   BASINMAP_SLURM_DIR    the test cluster's state   [/tmp/basinmap-slurm-it]
#   BASINMAP_SLURM_PORT   its slurmctld port (slurmd: +1)   [16817]
#   BASINMAP_IT_TIMEOUT   seconds to wait for one batch of jobs   [300]
#   BASINMAP_IT_KEEP=1    keep the work directory (results, job logs)
#   BASINMAP              test this binary instead of building target/release/basinmap
# Ends with `slurm: P passed, F failed`; exits non-zero on failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export BASINMAP_SLURM_DIR=${BASINMAP_SLURM_DIR:-/tmp/basinmap-slurm-it}
export BASINMAP_SLURM_PORT=${BASINMAP_SLURM_PORT:-16817}
export SLURM_CONF=$BASINMAP_SLURM_DIR/slurm.conf
TIMEOUT=${BASINMAP_IT_TIMEOUT:-300}
started=$SECONDS

log() { printf '[slurm-it %3ds] %s\n' $((SECONDS - started)) "$*"; }
fail() {
    log "FAIL: $*"
    exit 1
}

work=$(mktemp -d /tmp/basinmap-slurm-it.XXXXXX)
cleanup() {
    local rc=$?
    "$here/local-cluster.sh" stop >/dev/null 2>&1 || true
    if [[ ${BASINMAP_IT_KEEP:-0} == 1 ]]; then
        log "kept $work"
    else
        rm -rf "$work"
    fi
    return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n ${BASINMAP:-} ]]; then
    BASINMAP=$(realpath "$(command -v "$BASINMAP")") || fail "BASINMAP=$BASINMAP is not a program"
    log "testing $BASINMAP (BASINMAP is set: not building)"
else
    log "building basinmap (cargo build --release)"
    (cd "$root" && cargo build --release --quiet)
    BASINMAP=$root/target/release/basinmap
    [[ -x $BASINMAP ]] || fail "no $BASINMAP after cargo build --release"
fi
export BASINMAP

log "starting the local cluster in $BASINMAP_SLURM_DIR (port $BASINMAP_SLURM_PORT)"
"$here/local-cluster.sh" stop >/dev/null 2>&1 || true
"$here/local-cluster.sh" start
sinfo

cd "$work"

# ---- helpers ---------------------------------------------------------------

# The data rows of every runs table in DIR, sorted (bytewise).
sorted_rows() {
    local f
    for f in "$1"/runs*.csv; do
        [[ -e $f ]] || continue
        tail -n +2 "$f"
    done | LC_ALL=C sort
}

# DIR holds exactly the rows of the unsharded run in REF, each once.
check_same_rows() { # DIR REF
    local dir=$1 ref=$2 f header
    header=$(head -n1 "$ref/runs.csv")
    for f in "$dir"/runs*.csv; do
        [[ $(head -n1 "$f") == "$header" ]] || fail "$f: header differs from $ref/runs.csv"
    done
    sorted_rows "$ref" >"$work/ref.rows"
    sorted_rows "$dir" >"$work/got.rows"
    local dups
    dups=$(cut -d, -f1-6 "$work/got.rows" | uniq -d | head -n3)
    [[ -z $dups ]] || fail "$dir holds runs more than once, e.g.: $dups"
    if ! cmp -s "$work/ref.rows" "$work/got.rows"; then
        diff "$work/ref.rows" "$work/got.rows" | head -n 10 >&2 || true
        fail "$dir: rows differ from the unsharded run in $ref ($(wc -l <"$work/got.rows") vs $(wc -l <"$work/ref.rows") rows)"
    fi
    log "rows of $dir = rows of $ref, bit for bit ($(wc -l <"$work/ref.rows") rows, no duplicates)"
}

check_status_complete() { # DIR
    "$BASINMAP" status "$1" >"$work/status.txt"
    local last
    last=$(tail -n1 "$work/status.txt")
    [[ $last == complete:* ]] || { cat "$work/status.txt" >&2; fail "status $1 ends with '$last', not complete"; }
    if grep -q ' incomplete$' "$work/status.txt"; then
        cat "$work/status.txt" >&2
        fail "status $1 lists an incomplete shard"
    fi
    log "status: $last"
}

# "TASK STATE" per task of a job (TASK is - for a job that is not an array).
job_states() { # JOBID
    scontrol -o show job "$1" 2>/dev/null | awk '{
        task = "-"; state = "?";
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^ArrayTaskId=/) task = substr($i, 13);
            if ($i ~ /^JobState=/) state = substr($i, 10);
        }
        print task, state }' | sort -n
}

# State of one task of an array job (or of a plain job with TASK -).
task_state() { # JOBID TASK
    job_states "$1" | awk -v t="$2" '$1 == t { print $2 }'
}

# Waits until none of the jobs is pending, running or completing.
wait_jobs() { # JOBID...
    local ids deadline=$((SECONDS + TIMEOUT)) out
    ids=$(IFS=,; echo "$*")
    while ((SECONDS < deadline)); do
        if out=$(squeue --noheader --jobs="$ids" --format='%i %T' 2>/dev/null); then
            [[ -z $out ]] && return 0
        fi
        sleep 1
    done
    squeue --jobs="$ids" >&2 || true
    fail "jobs $ids still queued or running after ${TIMEOUT}s"
}

# Waits until a predicate command succeeds.
wait_for() { # DESCRIPTION COMMAND...
    local what=$1 deadline=$((SECONDS + TIMEOUT))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || fail "timed out after ${TIMEOUT}s waiting for $what"
        sleep 0.2
    done
}

rows_in() { # TABLE
    if [[ -f $1 ]]; then echo $(($(wc -l <"$1") - 1)); else echo 0; fi
}

# Predicates for wait_for.
rows_at_least() { (($(rows_in "$1") >= $2)); }            # TABLE N
task_is() { [[ $(task_state "$1" "$2") == "$3" ]]; }      # JOBID TASK STATE
no_process() { ! pgrep -f -- "$1" >/dev/null; }           # PATTERN

# submit.sh's output: sets array_job and render_job.
submit() {
    local out
    out=$("$here/submit.sh" "$@") || fail "submit.sh $* failed"
    eval "$out"
    [[ ${array_job:-} =~ ^[0-9]+$ && ${render_job:-} =~ ^[0-9]+$ ]] || fail "submit.sh printed no job ids: $out"
    log "submitted array job $array_job, render job $render_job"
}

has_render() { "$BASINMAP" --help | grep -qE '^ +render '; }

check_render_job() { # JOBID DIR
    local state
    state=$(task_state "$1" -)
    [[ -f $2/slurm-logs/render-$1.out ]] || fail "no log $2/slurm-logs/render-$1.out of render job $1"
    if has_render; then
        [[ $state == COMPLETED ]] || { cat "$2/slurm-logs/render-$1.out" >&2 || true; fail "render job $1 is $state, not COMPLETED"; }
        [[ -f $2/index.html ]] || fail "render job $1 completed but wrote no $2/index.html"
        log "render job $1 ran after the array: $2/index.html written"
    else
        # NOTE: `basinmap render` is not a subcommand of this build yet, so the
        # render job is expected to run (its dependency was met) and fail.
        [[ $state == COMPLETED || $state == FAILED ]] || fail "render job $1 is $state: its dependency did not release it"
        log "NOTE: basinmap has no render subcommand yet; render job $1 ran after the array ($state)"
    fi
}

write_spec() { # FILE NAME POINTS ACTIVATIONS REPLICATES STEPS N
    cat >"$1" <<EOF
name = "$2"
activations = [$4]
replicates = $5

[grid]
a = 1.0
b = 0.5
c = { from = -2.0, to = 2.0, points = $3 }
d = { from = -2.0, to = 2.0, points = $3 }

[train]
steps = $6
data = { mode = "fixed", n = $7, seed = 0 }
EOF
}

cpus=$(nproc)
((cpus > 2)) && cpus=2

# ---- scenario 1: a 3-task array equals one unsharded run ------------------------
scenario_array() {
    write_spec "$work/small.toml" slurm-small 9 '"relu", "elu", "softplus"' 1 300 128
    "$BASINMAP" run "$work/small.toml" --out "$work/A" --threads 2 --quiet >/dev/null
    log "local unsharded run: $work/A"

    submit "$work/small.toml" "$work/B" --tasks 3 --cpus-per-task="$cpus" --time=00:10:00
    wait_jobs "$array_job" "$render_job"
    local states
    states=$(job_states "$array_job" | awk '{printf "%s:%s ", $1, $2}')
    [[ $states == "0:COMPLETED 1:COMPLETED 2:COMPLETED " ]] || fail "array tasks ended as $states"
    local k
    for k in 0 1 2; do
        grep -q -- "--threads $cpus --quiet --shard $((k + 1))/3" "$work/B/slurm-logs/basinmap-${array_job}_$k.out" \
            || fail "task $k did not run shard $((k + 1))/3 with $cpus threads: $(cat "$work/B/slurm-logs/basinmap-${array_job}_$k.out")"
        [[ -f $work/B/runs-shard-$((k + 1))-of-3.csv ]] || fail "no runs-shard-$((k + 1))-of-3.csv in $work/B"
    done
    log "array tasks: $states"
    check_same_rows "$work/B" "$work/A"
    check_status_complete "$work/B"
    check_render_job "$render_job" "$work/B"
}

# ---- scenario 2: kill tasks mid-run, resubmit them, nothing lost or doubled ------
scenario_resubmit() {
    write_spec "$work/heavy.toml" slurm-heavy 33 '"relu", "elu", "selu", "softplus"' 4 4000 1024
    local t0=$SECONDS
    "$BASINMAP" run "$work/heavy.toml" --out "$work/REF" --threads 2 --quiet >/dev/null
    local total shard_rows
    total=$(rows_in "$work/REF/runs.csv")
    shard_rows=$((total / 3))
    log "local unsharded run: $work/REF ($total runs in $((SECONDS - t0))s on 2 threads)"

    local C=$work/C t1 t2
    t1=$C/runs-shard-2-of-3.csv
    t2=$C/runs-shard-3-of-3.csv
    submit "$work/heavy.toml" "$C" --tasks 3 --cpus-per-task=1 --time=00:10:00
    local first_array=$array_job first_render=$render_job

    # Task 1 (shard 2/3): cancelled once a quarter of its shard is saved.
    wait_for "task 1 to save a quarter of its shard" rows_at_least "$t1" $((shard_rows / 4))
    [[ $(task_state "$first_array" 1) == RUNNING ]] || fail "task 1 is $(task_state "$first_array" 1), not RUNNING, when about to cancel it"
    scancel "${first_array}_1"
    wait_for "task 1 to be cancelled" task_is "$first_array" 1 CANCELLED
    wait_for "task 1's basinmap to end" no_process "--out $C .*--shard 2/3"
    log "task 1 cancelled with scancel at $(rows_in "$t1") / ~$shard_rows rows of shard 2/3"

    # Task 2 (shard 3/3) starts on the freed CPU; its basinmap is killed with SIGKILL.
    wait_for "task 2 to save a quarter of its shard" rows_at_least "$t2" $((shard_rows / 4))
    local pid
    pid=$(pgrep -f -- "--out $C .*--shard 3/3" | head -n1) || true
    [[ -n $pid ]] || fail "no basinmap process of task 2 (shard 3/3) to kill"
    kill -KILL "$pid"
    wait_for "task 2 to fail" task_is "$first_array" 2 FAILED
    log "task 2's basinmap (pid $pid) killed with SIGKILL at $(rows_in "$t2") / ~$shard_rows rows of shard 3/3"

    wait_jobs "$first_array"
    [[ $(task_state "$first_array" 0) == COMPLETED ]] || fail "task 0 is $(task_state "$first_array" 0), not COMPLETED"
    local render_state
    render_state=$(task_state "$first_render" -)
    [[ $render_state != COMPLETED && $render_state != RUNNING ]] || fail "render job $first_render ran although tasks failed ($render_state)"
    log "first array: $(job_states "$first_array" | awk '{printf "%s:%s ", $1, $2}'); its render job: ${render_state:-gone}"
    scancel "$first_render" 2>/dev/null || true

    "$BASINMAP" status "$C" >"$work/status.txt"
    grep -Eq '^ +shard 1/3 +[0-9]+ / [0-9]+ +complete$' "$work/status.txt" || { cat "$work/status.txt" >&2; fail "status does not show shard 1/3 complete"; }
    local k line
    for k in 2 3; do
        line=$(grep -E "^ +shard $k/3 " "$work/status.txt") || { cat "$work/status.txt" >&2; fail "status shows no line for shard $k/3"; }
        [[ $line =~ ^\ +shard\ $k/3\ +([0-9]+)\ /\ ([0-9]+)\ +incomplete$ ]] || fail "status: '$line' is not an incomplete shard"
        ((BASH_REMATCH[1] > 0)) || fail "status: shard $k/3 kept no runs: '$line'"
    done
    [[ $(tail -n1 "$work/status.txt") == incomplete:* ]] || fail "status does not end with incomplete"
    log "status after the kills: $(grep -E '^ +shard [23]/3' "$work/status.txt" | tr -s ' ' | tr '\n' ';')"

    submit "$work/heavy.toml" "$C" --tasks 3 --only 1,2 --cpus-per-task=1 --time=00:10:00
    wait_jobs "$array_job" "$render_job"
    local states
    states=$(job_states "$array_job" | awk '{printf "%s:%s ", $1, $2}')
    [[ $states == "1:COMPLETED 2:COMPLETED " ]] || fail "resubmitted tasks ended as $states"
    grep -q -- "--shard 2/3" "$C/slurm-logs/basinmap-${array_job}_1.out" || fail "resubmitted task 1 did not run shard 2/3"
    grep -q -- "--shard 3/3" "$C/slurm-logs/basinmap-${array_job}_2.out" || fail "resubmitted task 2 did not run shard 3/3"
    log "resubmitted tasks: $states"
    check_same_rows "$C" "$work/REF"
    check_status_complete "$C"
    check_render_job "$render_job" "$C"
}

# ---- scenario 3: a refined plane, one array per level = one unsharded run ------
scenario_refined() {
    write_spec "$work/refined.toml" slurm-refined 9 '"relu", "selu"' 1 600 128
    printf '\n[refine]\nlevels = 2\n' >>"$work/refined.toml"
    "$BASINMAP" run "$work/refined.toml" --out "$work/R" --threads 2 --quiet >/dev/null
    log "local unsharded refined run: $work/R ($(rows_in "$work/R/runs.csv") runs)"

    submit "$work/refined.toml" "$work/S" --tasks 3 --cpus-per-task="$cpus" --time=00:10:00
    # shellcheck disable=SC2154 # set by submit's eval
    local jobs=($level_jobs)
    ((${#jobs[@]} == 3)) || fail "expected one array per level 0..2, got '${level_jobs:-}'"
    wait_jobs "${jobs[@]}" "$render_job"
    local j k
    for j in "${!jobs[@]}"; do
        for k in 0 1 2; do
            [[ $(task_state "${jobs[$j]}" "$k") == COMPLETED ]] || fail "level $j task $k is $(task_state "${jobs[$j]}" "$k")"
            grep -q -- "--shard $((k + 1))/3 --level $j" "$work/S/slurm-logs/basinmap-${jobs[$j]}_$k.out" \
                || fail "level $j task $k did not run shard $((k + 1))/3 --level $j"
        done
    done
    log "level arrays ${jobs[*]}: every task COMPLETED, each after the level before"
    check_same_rows "$work/S" "$work/R"
    check_status_complete "$work/S"
    check_render_job "$render_job" "$work/S"
}

passed=0 failed=0
run_scenario() { # NAME FUNCTION
    log "== $1"
    set +e
    (
        set -e
        "$2"
    )
    local rc=$?
    set -e
    if ((rc == 0)); then
        passed=$((passed + 1))
        log "== $1: passed"
    else
        failed=$((failed + 1))
        log "== $1: FAILED; job logs:"
        tail -n 5 "$work"/*/slurm-logs/*.out >&2 2>/dev/null || true
        log "slurm logs:"
        tail -n 15 "$BASINMAP_SLURM_DIR"/log/slurmctld.log "$BASINMAP_SLURM_DIR"/log/slurmd.log >&2 2>/dev/null || true
        squeue >&2 2>/dev/null || true
    fi
}

run_scenario "array: 3 tasks = one unsharded run" scenario_array
run_scenario "resubmit: scancel + SIGKILL mid-run, resubmit, same rows" scenario_resubmit
run_scenario "refined: one array per level = one unsharded run" scenario_refined

log "took $((SECONDS - started))s"
echo "slurm: $passed passed, $failed failed"
((failed == 0))
