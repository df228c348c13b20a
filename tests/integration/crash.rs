//! Issue 14, "prove it": a sweep SIGKILLed at 20+ random moments (drawn
//! from a fixed seed) of its runs, of the repair of a table with a damaged
//! middle line, and of its rendering, ends with the rows of one
//! uninterrupted run, bit for bit. After every kill each file under its
//! final name is whole: tables hold only rows of that run (a last line cut
//! short excepted), pictures decode, the page ends, JSON and TOML parse.

use crate::sweep::SMALL;
use crate::util::xml::check_xml;
use crate::util::{basinmap, ok, run, sorted_rows, write_spec};
use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A line no sweep writes, put in the middle of a table.
const GARBAGE: &str = "1.0,0.5,garbage,\u{1},selu";

/// Moments from a fixed seed (SplitMix64), as fractions in [0, 1).
struct Moments(u64);

impl Moments {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as f64 / 2f64.powi(64)
    }
}

/// Runs basinmap with `args` and SIGKILLs it after `delay`; whether the
/// kill is what ended it (it may have finished first).
fn killed_after(args: &[&str], delay: Duration) -> bool {
    let mut child = basinmap()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL
    let status = child.wait().unwrap();
    status.signal() == Some(9)
}

/// Whether the PNG at `path` decodes to its last pixel.
fn png_is_whole(path: &Path) -> bool {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let Ok(mut reader) = png::Decoder::new(file).read_info() else {
        return false;
    };
    let mut pixels = vec![0; reader.output_buffer_size().unwrap_or(0)];
    reader.next_frame(&mut pixels).is_ok() && reader.finish().is_ok()
}

/// Asserts that every file of `dir` under a final name is whole, and that
/// its tables hold only rows of `expected` (and the planted garbage line).
fn assert_nothing_half_written(dir: &Path, expected: &BTreeSet<String>, after: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.starts_with(".tmp-") {
            continue; // temporaries are never read, and removed later
        }
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let whole = match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
            "png" => png_is_whole(&path),
            "svg" => check_xml(&text).is_ok(),
            "html" => text.trim_end().ends_with("</html>"),
            "json" => serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
            "toml" => text.parse::<toml::Table>().is_ok(),
            "csv" => {
                // Complete lines only: a cut last line is what a kill
                // mid-append may leave, and the writer cuts it off.
                let lines: Vec<&str> = text.split_inclusive('\n').collect();
                let complete = lines.iter().filter(|l| l.ends_with('\n'));
                for line in complete.skip(1) {
                    let row = line.trim_end_matches('\n');
                    assert!(
                        row == GARBAGE || expected.contains(row),
                        "after {after}: {name} holds a row of no uninterrupted run: {row}"
                    );
                }
                true
            }
            _ => true,
        };
        assert!(whole, "after {after}: {name} is half-written");
    }
}

/// Replaces the middle row of `dir/runs.csv` by garbage, unless some line
/// already is.
fn damage_middle_line(dir: &Path) {
    let table = dir.join("runs.csv");
    let text = std::fs::read_to_string(&table).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.contains(&GARBAGE) || lines.len() < 3 {
        return;
    }
    let middle = lines.len() / 2;
    lines[middle] = GARBAGE;
    std::fs::write(&table, lines.join("\n") + "\n").unwrap();
}

#[test]
fn sigkill_at_random_moments_of_runs_repairs_and_renders_loses_nothing() {
    const KILLS: usize = 22;
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "small.toml", SMALL);
    let spec = spec.to_str().unwrap();

    // The uninterrupted run, and how long it and its rendering take here
    // (to spread the moments over them; nothing is asserted on time).
    let reference = tmp.path().join("reference");
    let started = Instant::now();
    ok(&run(&[
        "run",
        spec,
        "--out",
        reference.to_str().unwrap(),
        "--quiet",
    ]));
    let whole_run = started.elapsed();
    let started = Instant::now();
    ok(&run(&["render", reference.to_str().unwrap()]));
    let rendering = started.elapsed();
    let expected = sorted_rows(&reference);
    let expected_set: BTreeSet<String> = expected.iter().cloned().collect();

    let mut moments = Moments(14);
    let mut kills = [0usize; 3]; // of runs, of repairs, of renderings
    let started = Instant::now();
    for attempt in 0..8 {
        if kills.iter().sum::<usize>() >= KILLS {
            break;
        }
        let dir = tmp.path().join(format!("killed-{attempt}"));
        let out = dir.to_str().unwrap();
        // Runs: a moment of what is left (training and rendering), until
        // one run finishes; `run` and `resume` in turn.
        for round in 0..16 {
            let done = if dir.exists() {
                sorted_rows(&dir).len()
            } else {
                0
            };
            let left = 1.0 - done as f64 / expected.len() as f64;
            let span = whole_run.mul_f64(left.max(0.0)) + rendering;
            let delay = span.mul_f64(moments.next());
            let args = match round {
                0 => vec!["run", spec, "--out", out, "--quiet"],
                _ if round % 2 == 1 => vec!["resume", out, "--quiet"],
                _ => vec!["run", spec, "--out", out, "--quiet"],
            };
            let killed = killed_after(&args, delay);
            if dir.exists() {
                assert_nothing_half_written(&dir, &expected_set, "a kill of a run");
            }
            if !killed {
                break;
            }
            kills[0] += 1;
        }
        // Repairs: a damaged middle line, and a kill in the first moments
        // of the resume that repairs it.
        for _ in 0..2 {
            damage_middle_line(&dir);
            let delay = Duration::from_millis(40).mul_f64(moments.next());
            if killed_after(&["resume", out, "--quiet"], delay) {
                kills[1] += 1;
            }
            assert_nothing_half_written(&dir, &expected_set, "a kill of a repair");
        }
        ok(&run(&["resume", out, "--quiet"]));
        // Renderings.
        for _ in 0..2 {
            let delay = rendering.mul_f64(moments.next());
            if killed_after(&["render", out], delay) {
                kills[2] += 1;
            }
            assert_nothing_half_written(&dir, &expected_set, "a kill of a rendering");
        }
        // Finished: the rows of the uninterrupted run, and no temporary.
        ok(&run(&["resume", out, "--quiet"]));
        assert_eq!(sorted_rows(&dir), expected, "rows differ in {out}");
        assert_nothing_half_written(&dir, &expected_set, "the last resume");
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.starts_with(".tmp-"))
            .collect();
        assert!(left.is_empty(), "temporaries left in {out}: {left:?}");
        let status = ok(&run(&["status", out]));
        assert!(
            status.lines().any(|l| l.starts_with("complete:")),
            "{status}"
        );
    }
    println!(
        "{} SIGKILLs in {:.1} s: {} of runs, {} of repairs, {} of renderings",
        kills.iter().sum::<usize>(),
        started.elapsed().as_secs_f64(),
        kills[0],
        kills[1],
        kills[2]
    );
    assert!(kills.iter().sum::<usize>() >= KILLS, "kills: {kills:?}");
    assert!(kills.iter().all(|&k| k > 0), "kills: {kills:?}");
}
