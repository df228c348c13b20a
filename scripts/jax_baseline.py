#!/usr/bin/env python3
"""The basinmap workload written in JAX, the way the field writes it.

A peer baseline for `basinmap bench` (see scripts/bench-vs-jax.sh). Every model
g(x) = c * f(a*x + b) + d is fitted to relu(x) with the L1 loss
mean(|g(x) - relu(x)|) on a fixed batch of x values, with Adam in its
TensorFlow-1 form (lr 0.1, beta1 0.9, beta2 0.999, eps 1e-8), float32
throughout. Each chunk of models is one `jax.jit(jax.vmap(train_one))` call, where
`train_one` runs `jax.lax.scan` over the steps and gets its gradient from
`jax.grad`.

Usage:
  jax_baseline.py XFILE [--acts relu,elu,...] [--models M] [--steps S]
                        [--repeats R] [--chunks 128,256,...] [--label TEXT]
      Throughput: one JSON line per activation and chunk size on stdout,
      the models going through one compiled call per chunk (default: all
      in one call),
      {"activation", "sample_steps_per_second", "seconds_median", "models",
       "steps", "n", ...}; sample-steps/s = models * steps * n / seconds, with
      seconds the median of R timed runs after compilation and one warm-up run.

  jax_baseline.py XFILE --check [--acts selu,softplus] [--steps 2000]
                        [--starts "1,0.5,1,-0.5;1,0.5,1,0"]
      Correctness: trains each start on its own and prints one JSON line per
      (activation, start) with the final parameters and the parameters at a
      few checkpoints, to compare with `basinmap train ... --trace`.

XFILE holds the training x values, one per line (as `basinmap data` prints
them); they are read as float32.
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np

import jax
import jax.numpy as jnp

# float32 throughout: JAX's default, stated so that nobody's environment
# (JAX_ENABLE_X64) silently changes the workload.
jax.config.update("jax_enable_x64", False)

LR = 0.1
BETA1 = 0.9
BETA2 = 0.999
EPS = 1e-8

ACTIVATIONS = {
    "relu": jax.nn.relu,  # derivative 0 at 0, as TF and PyTorch
    "leaky_relu": lambda z: jax.nn.leaky_relu(z, negative_slope=0.01),
    "elu": jax.nn.elu,
    # jax.nn.selu's constants are the spec's lambda and alpha:
    # 1.0507009873554804934193349852946, 1.6732632423543772848170429916717
    "selu": jax.nn.selu,
    "softplus": jax.nn.softplus,
    "gelu": lambda z: jax.nn.gelu(z, approximate=False),  # exact, erf form
    "silu": jax.nn.silu,
    "tanh": jnp.tanh,
}

CHECK_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 300, 500, 1000, 1500, 2000)


def make_train(f, x, steps, record_every=None):
    """Returns train_one(theta0) -> theta (or (theta, trajectory))."""
    x = jnp.asarray(x, dtype=jnp.float32)
    target = jax.nn.relu(x)

    def loss(theta):
        a, b, c, d = theta
        g = c * f(a * x + b) + d
        return jnp.mean(jnp.abs(g - target))  # d|r|/dr = sign(r), sign(0) = 0

    grad = jax.grad(loss)

    def adam_step(carry, t):
        theta, m, v = carry
        g = grad(theta)
        m = BETA1 * m + (1.0 - BETA1) * g
        v = BETA2 * v + (1.0 - BETA2) * g * g
        lr_t = LR * jnp.sqrt(1.0 - BETA2**t) / (1.0 - BETA1**t)
        theta = theta - lr_t * m / (jnp.sqrt(v) + EPS)
        return (theta, m, v), (theta if record_every else None)

    def train_one(theta0):
        zeros = jnp.zeros_like(theta0)
        ts = jnp.arange(1, steps + 1, dtype=jnp.float32)  # Adam's t starts at 1
        (theta, _, _), traj = jax.lax.scan(adam_step, (theta0, zeros, zeros), ts)
        if record_every:
            return theta, traj
        return theta

    return train_one


def bench_starts(models):
    """c, d spread over [-2, 2] with a = 1, b = 0.5, as `basinmap bench`."""
    side = math.ceil(math.sqrt(models))
    div = max(side, 2)
    starts = np.empty((models, 4), dtype=np.float64)
    for i in range(models):
        starts[i] = (1.0, 0.5, -2.0 + 4.0 * (i // side) / div, -2.0 + 4.0 * (i % side) / div)
    return starts.astype(np.float32)


def read_x(path):
    try:
        values = np.loadtxt(path, dtype=np.float64, ndmin=1)
    except (OSError, ValueError) as e:
        sys.exit(f"jax_baseline.py: cannot read x values from {path}: {e}")
    if values.size == 0:
        sys.exit(f"jax_baseline.py: {path} holds no x values")
    if not np.all(np.isfinite(values)):
        sys.exit(f"jax_baseline.py: {path} holds a value that is not finite")
    return values.astype(np.float32)


def cpu_affinity():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def bench(args, x):
    starts = jnp.asarray(bench_starts(args.models))
    n = x.shape[0]
    work = float(args.models) * args.steps * n
    for name in args.acts:
        for chunk in args.chunks:
            chunk = min(chunk, args.models)
            # The models go through one compiled call per chunk of `chunk`
            # models (the last one padded to the same shape), dispatched
            # back to back: JAX overlaps them, and each call's intermediates
            # (chunk x n) stay small enough for the cache.
            pieces = []
            for lo in range(0, args.models, chunk):
                piece = starts[lo : lo + chunk]
                if piece.shape[0] < chunk:
                    piece = jnp.concatenate([piece, jnp.repeat(piece[:1], chunk - piece.shape[0], axis=0)])
                pieces.append(piece)
            run = jax.jit(jax.vmap(make_train(ACTIVATIONS[name], x, args.steps)))
            t0 = time.perf_counter()
            compiled = run.lower(pieces[0]).compile()
            compile_seconds = time.perf_counter() - t0

            def sweep():
                return jax.block_until_ready([compiled(p) for p in pieces])

            t0 = time.perf_counter()
            final = sweep()  # warm-up, not timed
            warmup_seconds = time.perf_counter() - t0
            seconds = []
            cpu0 = time.process_time()
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                sweep()
                seconds.append(time.perf_counter() - t0)
            cpu_seconds = time.process_time() - cpu0
            median = statistics.median(seconds)
            finite = int(sum(np.isfinite(np.asarray(f)).all(axis=1).sum() for f in final))
            print(
                json.dumps(
                    {
                        "activation": name,
                        "chunk": chunk,
                        "sample_steps_per_second": work / median,
                        "seconds_median": median,
                        "seconds": seconds,
                        "compile_seconds": compile_seconds,
                        "warmup_seconds": warmup_seconds,
                        # CPU time of the whole process over the timed runs, per
                        # wall-clock second: how many cores JAX actually kept busy.
                        "cores_busy": cpu_seconds / sum(seconds),
                        "models": args.models,
                        "steps": args.steps,
                        "n": n,
                        "repeats": args.repeats,
                        "finite_models": finite,
                        "label": args.label,
                        "cpus": cpu_affinity(),
                        "xla_flags": os.environ.get("XLA_FLAGS", ""),
                        "jax": jax.__version__,
                        "backend": jax.default_backend(),
                    }
                ),
                flush=True,
            )


def check(args, x):
    starts = []
    for text in args.starts.split(";"):
        fields = [float(v) for v in text.split(",")]
        if len(fields) != 4:
            sys.exit(f"jax_baseline.py: --starts: '{text}' is not a,b,c,d")
        starts.append(fields)
    starts_arr = jnp.asarray(np.asarray(starts, dtype=np.float32))
    wanted = [s for s in CHECK_STEPS if s <= args.steps]
    if args.steps not in wanted:
        wanted.append(args.steps)
    for name in args.acts:
        run = jax.jit(jax.vmap(make_train(ACTIVATIONS[name], x, args.steps, record_every=1)))
        final, traj = jax.block_until_ready(run(starts_arr))
        final = np.asarray(final, dtype=np.float64)
        traj = np.asarray(traj, dtype=np.float64)  # (starts, steps, 4)
        for k, start in enumerate(starts):
            print(
                json.dumps(
                    {
                        "activation": name,
                        "start": start,
                        "steps": args.steps,
                        "final": dict(zip("abcd", final[k].tolist())),
                        "trajectory": {str(s): traj[k, s - 1].tolist() for s in wanted},
                        "jax": jax.__version__,
                    }
                ),
                flush=True,
            )


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("xfile", help="training x values, one per line (basinmap data)")
    p.add_argument("--acts", default=None, help="comma-separated activations")
    p.add_argument("--models", type=int, default=4096)
    p.add_argument("--steps", type=int, default=None, help="default 200, or 2000 with --check")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--chunks", default=None, help="models per compiled call, comma-separated (default: all in one)")
    p.add_argument("--label", default="", help="free text copied into the JSON (e.g. 'all-threads')")
    p.add_argument("--check", action="store_true", help="train single starts and print final parameters")
    p.add_argument("--starts", default="1,0.5,1,-0.5;1,0.5,1,0", help="--check starts, 'a,b,c,d;a,b,c,d'")
    args = p.parse_args()

    if args.acts is None:
        args.acts = "selu,softplus" if args.check else "relu,elu,selu,softplus,gelu,silu,tanh"
    args.acts = [a.strip() for a in args.acts.split(",") if a.strip()]
    unknown = [a for a in args.acts if a not in ACTIVATIONS]
    if unknown:
        sys.exit(f"jax_baseline.py: unknown activation(s) {unknown}; known: {', '.join(ACTIVATIONS)}")
    if args.steps is None:
        args.steps = 2000 if args.check else 200
    try:
        args.chunks = [int(c) for c in args.chunks.split(",")] if args.chunks else [args.models]
    except ValueError:
        sys.exit(f"jax_baseline.py: --chunks must be a comma list of integers, got '{args.chunks}'")
    if any(c < 1 for c in args.chunks):
        sys.exit("jax_baseline.py: --chunks must be at least 1")
    for key in ("models", "steps", "repeats"):
        if getattr(args, key) < 1:
            sys.exit(f"jax_baseline.py: --{key} must be at least 1")

    x = read_x(args.xfile)
    print(
        f"jax_baseline.py: jax {jax.__version__} on {jax.default_backend()} ({platform.machine()}), "
        f"{x.shape[0]} points, {cpu_affinity()} cpu(s) allowed, XLA_FLAGS='{os.environ.get('XLA_FLAGS', '')}'",
        file=sys.stderr,
    )
    if args.check:
        check(args, x)
    else:
        bench(args, x)


if __name__ == "__main__":
    main()
