#!/usr/bin/env bash
# Submits a basinmap sweep to SLURM: an array of N tasks, task i running
# shard i+1 of N of SPEC into DIR, and a render job that draws DIR's heatmaps
# once every task has succeeded (--dependency=afterok).
#
# A refined sweep ([refine] levels = L) gets one array per level 0..L, each
# task running `--level K` of its shard, each array starting once the one
# before has succeeded: a level's points depend on all of the level before.
#
#   scripts/slurm/submit.sh SPEC DIR [--tasks N] [--only LIST] [sbatch options...]
#
#   --tasks N     number of array tasks = shards [4]
#   --only LIST   submit only these task indices (0-based, sbatch's --array
#                 syntax, e.g. 2 or 1,3 or 0-3) of the N: resubmits killed or
#                 preempted tasks, which continue their shards
#   other options go to sbatch, e.g. --partition=compute --account=proj
#                 --time=12:00:00 --cpus-per-task=16 (= each task's threads);
#                 the render job gets the placement ones (partition, account,
#                 qos, ...) but keeps its own CPUs, time, memory and log file.
#
# Job logs go to DIR/slurm-logs/ (basinmap-<array>_<task>.out,
# render-<job>.out) unless --output is given.
# Prints the job ids as `array_job=ID` (the last level's array, with
# `level_jobs="ID0 ID1 ..."` for a refined sweep) and `render_job=ID`.
# Environment: BASINMAP  the basinmap binary [basinmap on PATH, else this
#              repository's target/release/basinmap]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
    exit 2
}
die() { echo "submit.sh: $*" >&2; exit 1; }

(($# >= 2)) || usage
case $1 in -h | --help) usage ;; esac
spec=$1 dir=$2
shift 2
tasks=4 only="" extra=() render_extra=()
while (($#)); do
    case $1 in
    --tasks) tasks=${2:?--tasks needs a number}; shift 2 ;;
    --tasks=*) tasks=${1#--tasks=}; shift ;;
    --only) only=${2:?--only needs task indices}; shift 2 ;;
    --only=*) only=${1#--only=}; shift ;;
    -a | --array | --array=*) die "give the number of tasks with --tasks N (and --only LIST to resubmit some), not --array" ;;
    -h | --help) usage ;;
    *) extra+=("$1"); shift ;;
    esac
done
[[ $tasks =~ ^[1-9][0-9]*$ ]] || die "--tasks '$tasks' is not a positive number"
[[ -f $spec ]] || die "no spec file '$spec'"
if [[ -n $only ]]; then
    [[ $only =~ ^[0-9][0-9,-]*$ ]] || die "--only '$only' is not a list of task indices such as 2 or 1,3 or 0-3"
    for i in $(tr ',-' '  ' <<<"$only"); do
        ((10#$i < tasks)) || die "--only $only: task $i does not exist (tasks are 0-$((tasks - 1)))"
    done
fi
# The render job keeps the placement options (partition, account, qos, ...)
# but not a task's size or output file.
skip_next=0
for opt in "${extra[@]}"; do
    if ((skip_next)); then skip_next=0; continue; fi
    case $opt in
    -c | --cpus-per-task | -t | --time | -o | --output | -e | --error | -J | --job-name | --mem | --mem-per-cpu) skip_next=1 ;;
    --cpus-per-task=* | -c* | --time=* | -t* | --output=* | -o* | --error=* | -e* | --job-name=* | -J* | --mem=* | --mem-per-cpu=*) ;;
    *) render_extra+=("$opt") ;;
    esac
done

if [[ -z ${BASINMAP:-} ]]; then
    if command -v basinmap >/dev/null; then
        BASINMAP=$(command -v basinmap)
    elif [[ -x $repo/target/release/basinmap ]]; then
        BASINMAP=$repo/target/release/basinmap
    else
        die "no basinmap binary: set BASINMAP, put basinmap on PATH, or run cargo build --release in $repo"
    fi
fi
# The jobs may start in another directory: make a path absolute.
if [[ $BASINMAP == */* ]]; then BASINMAP=$(realpath "$BASINMAP"); fi
export BASINMAP
# The spec is checked here, not by N failing tasks.
"$BASINMAP" data "$spec" >/dev/null || die "$spec is not a valid sweep spec (see above)"
spec=$(realpath "$spec")
dir=$(realpath -m "$dir")
# Job logs go to DIR/slurm-logs/ unless --output is given (SLURM does not
# create a log file's folder, so it is made here).
logs=()
if ! printf '%s\n' "${extra[@]}" | grep -qE '^(-o|--output)'; then
    mkdir -p "$dir/slurm-logs"
    logs=(--output="$dir/slurm-logs/%x-%A_%a.out")
fi
render_logs=(--output="$dir/slurm-logs/render-%j.out")
[[ -d $dir/slurm-logs ]] || render_logs=()

# Rows from two different builds must not be mixed in one DIR: basinmap's
# fingerprint holds its version, not its build, so note the binary's hash.
bin_hash=$(sha256sum "$(command -v "$BASINMAP")" | cut -d' ' -f1)
mkdir -p "$dir"
if [[ -s $dir/.basinmap-binary.sha256 ]]; then
    if [[ $(cat "$dir/.basinmap-binary.sha256") != "$bin_hash" ]]; then
        echo "submit.sh: warning: $BASINMAP is not the binary that started $dir (sha256 differs)." >&2
        echo "  If its training code changed, its rows will differ from the stored ones: continue with the first binary, or use a new DIR." >&2
    fi
else
    echo "$bin_hash" >"$dir/.basinmap-binary.sha256"
fi

array=${only:-0-$((tasks - 1))}
# Levels of a refined sweep: the `levels` key of its [refine] table.
levels=$(awk '/^[[:space:]]*\[/ { in_refine = ($0 ~ /^[[:space:]]*\[refine\]/) }
    in_refine && /^[[:space:]]*levels[[:space:]]*=/ { sub(/.*=[[:space:]]*/, ""); sub(/[^0-9].*/, ""); print; exit }' "$spec")
array_job="" level_jobs=""
if [[ -n $levels ]]; then
    for ((level = 0; level <= levels; level++)); do
        after=()
        [[ -n $array_job ]] && after=(--dependency="afterok:$array_job" --kill-on-invalid-dep=yes)
        array_job=$(sbatch --parsable --array="$array" "${after[@]}" "${logs[@]}" "${extra[@]}" \
            "$here/sweep.sbatch" "$spec" "$dir" "$tasks" "$level")
        array_job=${array_job%%;*}
        level_jobs="$level_jobs $array_job"
    done
    level_jobs=${level_jobs# }
else
    array_job=$(sbatch --parsable --array="$array" "${logs[@]}" "${extra[@]}" \
        "$here/sweep.sbatch" "$spec" "$dir" "$tasks")
    array_job=${array_job%%;*}
fi
render_job=$(sbatch --parsable --dependency="afterok:$array_job" --kill-on-invalid-dep=yes "${render_logs[@]}" "${render_extra[@]}" \
    "$here/render.sbatch" "$dir")
render_job=${render_job%%;*}

{
    if [[ -n $levels ]]; then
        echo "submitted one array per level 0..$levels: jobs $level_jobs, each after the one before (tasks $array of $tasks, task i runs shard i+1/$tasks of that level) of $spec -> $dir"
    fi
    echo "submitted array job $array_job: tasks $array of $tasks (task i runs shard i+1/$tasks) of $spec -> $dir"
    echo "submitted render job $render_job: runs when every task of $array_job has succeeded"
    echo "watch: squeue -j $array_job,$render_job    progress: $BASINMAP status $dir"
    if ((${#logs[@]})); then echo "job logs: $dir/slurm-logs/"; fi
} >&2
echo "array_job=$array_job"
[[ -z $level_jobs ]] || echo "level_jobs=\"$level_jobs\""
echo "render_job=$render_job"
