//! `basinmap bench`: kernel throughput, one table row per configuration.

use super::print_stdout;
use crate::benchmark::{BenchConfig, BenchSetup, isa_name, measure};
use crate::cli::BenchArgs;
use crate::problem::activation::Activation;
use crate::sweep::preflight;
use crate::train::config::{Kernel, Precision};
use anyhow::Result;

pub fn run(args: BenchArgs) -> Result<()> {
    // Sizes this machine cannot hold are refused, not left to abort.
    for &n in &args.n {
        preflight::check_bench(args.models, n, args.repeats).map_err(anyhow::Error::msg)?;
    }
    let setup = BenchSetup {
        models: args.models as usize,
        steps: args.steps,
        repeats: args.repeats as usize,
        threads: args
            .threads
            .map(|t| t as usize)
            .unwrap_or_else(rayon::current_num_threads),
    };
    let activations = if args.act.is_empty() {
        Activation::ALL.to_vec()
    } else {
        args.act.clone()
    };
    let precisions = if args.precision.is_empty() {
        vec![Precision::F32, Precision::F64]
    } else {
        args.precision.clone()
    };
    let kernels = if args.kernel.is_empty() {
        vec![Kernel::Direct]
    } else {
        args.kernel.clone()
    };
    let mut thread_counts = vec![1];
    if setup.threads > 1 {
        thread_counts.push(setup.threads);
    }
    eprintln!(
        "basinmap bench: {} models x {} steps, median of {}, instruction set {}",
        setup.models,
        setup.steps,
        setup.repeats,
        isa_name()
    );
    print_stdout(&format!(
        "{:<12} {:<9} {:<6} {:>6} {:>7} {:>16} {:>10}\n",
        "activation", "precision", "kernel", "points", "threads", "sample-steps/s", "seconds"
    ))?;
    for &activation in &activations {
        for &precision in &precisions {
            for &kernel in &kernels {
                for &points in &args.n {
                    for &threads in &thread_counts {
                        let config = BenchConfig {
                            activation,
                            precision,
                            kernel,
                            points: points as usize,
                            threads,
                        };
                        let r = measure(&setup, config)?;
                        print_stdout(&format!(
                            "{:<12} {:<9} {:<6} {:>6} {:>7} {:>16.3e} {:>10.3}\n",
                            activation.name(),
                            precision.name(),
                            kernel.name(),
                            points,
                            threads,
                            r.sample_steps_per_second,
                            r.seconds_median
                        ))?;
                    }
                }
            }
        }
    }
    Ok(())
}
