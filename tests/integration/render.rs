//! Heatmaps, the index page and the training plot, checked as a reader would:
//! pictures decode, have the laid-out size, are not blank, show the right
//! color at known cells; SVG is well-formed; partial sweeps show "not run";
//! and a real browser loads the page (skipped when Chromium is absent).

use crate::util::browser::{assert_all_loaded, chromium, have_chromium, load_in_browser};
use crate::util::png::Image;
use crate::util::xml::check_xml;
use basinmap::classify::Label;
use basinmap::problem::activation::Activation;
use basinmap::render::palette::{NOT_RUN, PairOutcome, label_color};
use basinmap::render::sweep_cells::index_of;
use basinmap::render::{self, Format, Picture, PictureKind, RenderReport, training_plot};
use basinmap::spec::{RenderOptions, SweepSpec};
use basinmap::store::RunRecord;
use basinmap::train::{PreparedData, RunOutcome, train_and_classify};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub(crate) fn spec(text: &str) -> SweepSpec {
    SweepSpec::parse(text, Path::new("test.toml")).expect("test spec parses")
}

/// The reference setting of the reference table (docs/science.md) on a 3 × 3 c–d grid around the
/// original starts: 2000 steps of Adam tf1 on 1024 fixed points.
const REAL_SPEC: &str = r#"
name = "render-test"
activations = ["selu", "softplus"]
[grid]
a = 1.0
b = 0.5
c = [0.5, 1.0, 1.5]
d = [-0.5, 0.0, 0.5]
[train]
steps = 2000
"#;

fn grid_points(spec: &SweepSpec) -> Vec<[f64; 4]> {
    let mut points = Vec::new();
    for a in spec.grid.a.values() {
        for b in spec.grid.b.values() {
            for c in spec.grid.c.values() {
                for d in spec.grid.d.values() {
                    points.push([a, b, c, d]);
                }
            }
        }
    }
    points
}

/// Trains every run of a (small) spec for real.
pub(crate) fn real_records(spec: &SweepSpec) -> Vec<RunRecord> {
    let points = grid_points(spec);
    let mut records = Vec::new();
    for replicate in 0..spec.replicates {
        let mut train = spec.train.single().expect("one training variant");
        train.data.seed += u64::from(replicate);
        let data = PreparedData::prepare(&train).expect("data");
        for &activation in &spec.activations {
            let outcomes = train_and_classify(activation, &train, &spec.classify, &data, &points);
            for (start, outcome) in points.iter().zip(outcomes) {
                records.push(RunRecord {
                    start: *start,
                    activation,
                    replicate,
                    variant: 0,
                    outcome,
                });
            }
        }
    }
    records
}

/// Records with labels from a cheap rule, for size and speed tests.
pub(crate) fn synthetic_records(spec: &SweepSpec) -> Vec<RunRecord> {
    let mut records = Vec::new();
    let mut state: u64 = 7;
    for replicate in 0..spec.replicates {
        for &activation in &spec.activations {
            for start in grid_points(spec) {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let [a, b, c, d] = start;
                let label = if (state >> 33).is_multiple_of(10) {
                    Label::Unconverged
                } else if c * d + a - b > 0.3 {
                    Label::Converged
                } else if c < -1.0 {
                    Label::StuckDead
                } else {
                    Label::StuckLinear
                };
                records.push(RunRecord {
                    start,
                    activation,
                    replicate,
                    variant: 0,
                    outcome: RunOutcome {
                        params: start,
                        train_loss: 0.01,
                        eval_loss: 0.01,
                        label,
                        converged_at: (label == Label::Converged)
                            .then_some(10 + ((state >> 40) % 1990) as u32),
                        settled_step: 2000,
                        mean_loss: 0.01 + ((state >> 20) % 1000) as f64 * 1e-4,
                    },
                });
            }
        }
    }
    records
}

/// The cell of `picture`'s `panel` at grid values (`x`, `y`), sampled a few
/// pixels inside its top-left corner (away from any start marker).
fn cell_pixel(picture: &Picture, panel: usize, spec: &SweepSpec, (x, y): (f64, f64)) -> (u32, u32) {
    let axis = |name: &str| -> Vec<f64> {
        spec.grid
            .axes()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| a.values())
            .unwrap()
    };
    let ix = index_of(&axis(picture.axes.0), x).expect("x on the grid");
    let iy = index_of(&axis(picture.axes.1), y).expect("y on the grid");
    let ((x0, y0), (x1, y1)) = picture.layout.cell_rect(panel, ix, iy);
    if x1 - x0 >= 12 && y1 - y0 >= 12 {
        ((x0 + 3) as u32, (y0 + 3) as u32)
    } else {
        picture.layout.cell_center(panel, ix, iy)
    }
}

fn label_of(records: &[RunRecord], activation: Activation, start: [f64; 4]) -> Label {
    records
        .iter()
        .find(|r| r.activation == activation && r.start == start)
        .expect("record exists")
        .label()
}

fn picture(report: &RenderReport, kind: PictureKind) -> &Picture {
    report
        .pictures
        .iter()
        .find(|p| p.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} picture"))
}

/// Every PNG decodes, has the laid-out size, and each panel shows several
/// colors.
fn check_pngs(dir: &Path, report: &RenderReport, min_plot_colors: usize) {
    assert!(!report.pictures.is_empty());
    for p in &report.pictures {
        let image = Image::read(&dir.join(&p.file));
        assert_eq!(
            (image.width, image.height),
            (p.layout.width, p.layout.height),
            "{}",
            p.file
        );
        assert!(
            image.colors_in((0, 0), (image.width as i32, image.height as i32)) >= 4,
            "{} is blank",
            p.file
        );
        // The plot area: from the first panel's top-left cell to the last
        // panel's bottom-right cell.
        let (first, _) = p.layout.cell_rect(0, 0, p.layout.ny - 1);
        let (_, last) = p.layout.cell_rect(p.panels.len() - 1, p.layout.nx - 1, 0);
        assert!(
            image.colors_in(first, last) >= min_plot_colors,
            "{}: plot area nearly blank",
            p.file
        );
    }
}

/// A fresh directory, removed when dropped unless `BASINMAP_KEEP_RENDER` is
/// set (then its path is printed, to look at the pictures).
pub(crate) struct TestDir(Option<tempfile::TempDir>, PathBuf);

impl TestDir {
    pub(crate) fn path(&self) -> &Path {
        &self.1
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        if std::env::var_os("BASINMAP_KEEP_RENDER").is_some()
            && let Some(dir) = self.0.take()
        {
            println!("kept {}", dir.keep().display());
        }
    }
}

pub(crate) fn temp_dir(name: &str) -> TestDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("basinmap-render-{name}-"))
        .tempdir()
        .unwrap();
    let path = dir.path().to_path_buf();
    TestDir(Some(dir), path)
}

#[test]
fn outcome_maps_show_each_label_in_its_color() {
    let spec = spec(REAL_SPEC);
    let records = real_records(&spec);
    let tmp = temp_dir("real");
    let dir = tmp.path();
    let report = render::render_all(dir, &spec, &records, Format::Png).unwrap();
    check_pngs(dir, &report, 3);
    assert_eq!((report.runs_done, report.runs_total), (18, 18));

    let kinds: Vec<PictureKind> = report.pictures.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            PictureKind::Outcome,
            PictureKind::Compare,
            PictureKind::Speed,
            PictureKind::Loss
        ]
    );

    // the reference table (docs/science.md): from a=1, b=0.5, c=1, d=-0.5 selu stalls linear and
    // softplus converges.
    let start = [1.0, 0.5, 1.0, -0.5];
    assert_eq!(
        label_of(&records, Activation::Selu, start),
        Label::StuckLinear
    );
    assert_eq!(
        label_of(&records, Activation::Softplus, start),
        Label::Converged
    );

    let outcome = picture(&report, PictureKind::Outcome);
    assert_eq!(outcome.axes, ("c", "d"));
    assert_eq!(outcome.panels, ["selu", "softplus"]);
    let image = Image::read(&dir.join(&outcome.file));
    let at = cell_pixel(outcome, 0, &spec, (1.0, -0.5));
    assert_eq!(image.pixel(at), label_color(Label::StuckLinear));
    // The cell's middle too, inside the hollow start marker.
    assert_eq!(
        image.pixel(outcome.layout.cell_center(0, 1, 0)),
        label_color(Label::StuckLinear)
    );
    assert_eq!(
        image.pixel(cell_pixel(outcome, 1, &spec, (1.0, -0.5))),
        label_color(Label::Converged)
    );
    // Every cell of every panel matches its record.
    for (panel, activation) in [Activation::Selu, Activation::Softplus]
        .into_iter()
        .enumerate()
    {
        for record in records.iter().filter(|r| r.activation == activation) {
            let at = cell_pixel(outcome, panel, &spec, (record.start[2], record.start[3]));
            assert_eq!(
                image.pixel(at),
                label_color(record.label()),
                "{activation} at {:?}",
                record.start
            );
        }
    }

    // The compare map: softplus converges where selu is stuck.
    let compare = picture(&report, PictureKind::Compare);
    let image = Image::read(&dir.join(&compare.file));
    assert_eq!(
        image.pixel(cell_pixel(compare, 0, &spec, (1.0, -0.5))),
        PairOutcome::OnlySecond.color()
    );
    let only_softplus = [0.5, 1.0, 1.5]
        .iter()
        .flat_map(|&c| [-0.5, 0.0, 0.5].map(|d| [1.0, 0.5, c, d]))
        .filter(|&s| {
            label_of(&records, Activation::Selu, s) != Label::Converged
                && label_of(&records, Activation::Softplus, s) == Label::Converged
        })
        .count();
    assert!(only_softplus >= 1);
    assert!(
        compare
            .caption
            .contains(&format!("from {only_softplus} of 9")),
        "{}",
        compare.caption
    );

    // The loss map: every cell, whatever its label, shaded by its run's
    // mean loss on one log scale from the sweep's lowest to its highest,
    // low bright (viridis reversed).
    let loss = picture(&report, PictureKind::Loss);
    let image = Image::read(&dir.join(&loss.file));
    let means: Vec<f64> = records.iter().map(|r| r.outcome.mean_loss).collect();
    let (lo, hi) = means.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &m| {
        (lo.min(m), hi.max(m))
    });
    assert!(hi / lo > 2.0, "the runs differ in mean loss: {lo} to {hi}");
    for (panel, activation) in [Activation::Selu, Activation::Softplus]
        .into_iter()
        .enumerate()
    {
        for record in records.iter().filter(|r| r.activation == activation) {
            let t = (record.outcome.mean_loss.ln() - lo.ln()) / (hi.ln() - lo.ln());
            let at = cell_pixel(loss, panel, &spec, (record.start[2], record.start[3]));
            assert_eq!(
                image.pixel(at),
                render::palette::viridis(1.0 - t),
                "{activation} at {:?}",
                record.start
            );
        }
    }

    let page = std::fs::read_to_string(&report.index).unwrap();
    for p in &report.pictures {
        assert!(page.contains(&format!("src=\"{}\"", p.file)), "{}", p.file);
    }
    assert!(page.contains(&format!("data-count=\"{only_softplus}\"")));
    // The page says how labels are read and what the speed and loss maps show.
    assert!(
        page.contains("settled parameters"),
        "settled rule explained"
    );
    assert!(
        page.contains("straight line to within 2%"),
        "stuck-linear glossary"
    );
    assert!(page.contains("mean training loss, shaded for every run"));
    // Nothing to fetch: no external script, picture, style or link, and a
    // content policy that forbids loading anything from elsewhere (the
    // browser tests in page.rs check no request is made).
    for external in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "<script src",
        "@import",
    ] {
        assert!(!page.contains(external), "the page refers to {external}");
    }
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}

#[test]
fn svg_output_is_well_formed() {
    let spec = spec(REAL_SPEC);
    let records = synthetic_records(&spec);
    let tmp = temp_dir("svg");
    let dir = tmp.path();
    let report = render::render_all(dir, &spec, &records, Format::Svg).unwrap();
    for p in &report.pictures {
        assert!(p.file.ends_with(".svg"));
        let text = std::fs::read_to_string(dir.join(&p.file)).unwrap();
        check_xml(&text).unwrap_or_else(|e| panic!("{}: {e}", p.file));
        assert!(
            text.contains("<text") && text.contains("DejaVu Sans"),
            "{}",
            p.file
        );
        assert!(text.contains(&format!("width=\"{}\"", p.layout.width)));
    }
    let plot = dir.join("plot.svg");
    training_plot::draw(
        &plot,
        Activation::Softplus,
        &[(0, [1.0, 0.5, 1.0, -0.5]), (10, [1.1, 0.4, 1.2, -0.4])],
    )
    .unwrap();
    check_xml(&std::fs::read_to_string(&plot).unwrap()).unwrap();
}

#[test]
fn partial_sweeps_draw_not_run_cells() {
    let spec = spec(REAL_SPEC);
    let mut records = synthetic_records(&spec);
    // Selu at c = 1.5 not run yet; softplus complete.
    records.retain(|r| !(r.activation == Activation::Selu && r.start[2] == 1.5));
    // A record from some other grid is left out, and counted.
    let mut stray = records[0];
    stray.start[2] = 7.0;
    records.push(stray);
    let tmp = temp_dir("partial");
    let dir = tmp.path();
    let report = render::render_all(dir, &spec, &records, Format::Png).unwrap();
    check_pngs(dir, &report, 1);
    assert_eq!(
        (report.runs_done, report.runs_total, report.runs_ignored),
        (15, 18, 1)
    );
    for kind in [PictureKind::Outcome, PictureKind::Speed] {
        let p = picture(&report, kind);
        let image = Image::read(&dir.join(&p.file));
        assert_eq!(
            image.pixel(cell_pixel(p, 0, &spec, (1.5, 0.0))),
            NOT_RUN,
            "{}",
            p.file
        );
        assert_ne!(
            image.pixel(cell_pixel(p, 1, &spec, (1.5, 0.0))),
            NOT_RUN,
            "{}",
            p.file
        );
        assert_ne!(
            image.pixel(cell_pixel(p, 0, &spec, (1.0, 0.0))),
            NOT_RUN,
            "{}",
            p.file
        );
    }
    let compare = picture(&report, PictureKind::Compare);
    let image = Image::read(&dir.join(&compare.file));
    assert_eq!(
        image.pixel(cell_pixel(compare, 0, &spec, (1.5, 0.5))),
        NOT_RUN
    );
    let page = std::fs::read_to_string(&report.index).unwrap();
    assert!(page.contains("15 of 18 runs done"), "progress line");
    assert!(
        page.contains("data-label=\"not-run\">3<"),
        "not-run count of selu"
    );
}

#[test]
fn many_axes_and_replicates_add_marginal_and_probability_maps() {
    let spec = spec(
        r#"
name = "four-axes"
activations = ["relu", "selu", "softplus"]
replicates = 2
[grid]
a = [0.5, 1.0]
b = [0.0, 0.5]
c = { from = -2.0, to = 2.0, points = 9 }
d = [-0.5, 0.0, 0.5]
[render]
pin = { a = 0.4 }
compare = ["relu", "softplus"]
"#,
    );
    let records = synthetic_records(&spec);
    let tmp = temp_dir("four");
    let dir = tmp.path();
    // The spec's [render] table is what `run` and `render` draw with.
    let report = render::render_all(dir, &spec, &records, Format::Png).unwrap();
    check_pngs(dir, &report, 1);
    let count = |kind| report.pictures.iter().filter(|p| p.kind == kind).count();
    // Four varying axes: six planes.
    assert_eq!(count(PictureKind::Outcome), 6);
    assert_eq!(count(PictureKind::Compare), 6);
    assert_eq!(count(PictureKind::Speed), 6);
    assert_eq!(count(PictureKind::Probability), 6);
    assert_eq!(count(PictureKind::Marginal), 6);
    assert!(dir.join("compare-relu-softplus-c-d.png").is_file());
    // The pin a = 0.4 snaps to the grid value 0.5; b and d default to 0.5, -0.5.
    let cd = report
        .pictures
        .iter()
        .find(|p| p.file == "outcome-c-d.png")
        .unwrap();
    assert!(cd.caption.contains("a = 0.5, b = 0.5"), "{}", cd.caption);
    assert!(
        cd.caption
            .contains("most frequent label over its 2 replicates")
    );
    let marginal = report
        .pictures
        .iter()
        .find(|p| p.file == "marginal-c-d.png")
        .unwrap();
    assert!(
        marginal.caption.contains("8 runs per cell"),
        "{}",
        marginal.caption
    );

    let err = SweepSpec::parse(
        &REAL_SPEC.replace("[grid]", "[render]\ncompare = [\"selu\", \"selu\"]\n[grid]"),
        Path::new("bad.toml"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("render.compare"), "{err}");
}

#[test]
fn render_options_read_from_toml() {
    #[derive(serde::Deserialize)]
    struct Wrapper {
        render: RenderOptions,
    }
    let w: Wrapper =
        toml::from_str("[render]\npin = { a = 2.0, d = 0.0 }\ncompare = [\"elu\", \"softplus\"]\n")
            .unwrap();
    assert_eq!(w.render.pin.values(), [Some(2.0), None, None, Some(0.0)]);
    assert_eq!(w.render.compare, (Activation::Elu, Activation::Softplus));
    let defaults: Wrapper = toml::from_str("[render]\n").unwrap();
    assert_eq!(defaults.render, RenderOptions::default());
    assert!(toml::from_str::<Wrapper>("[render]\npins = {}\n").is_err());
}

#[test]
fn a_129_by_129_plane_of_4_activations_renders_at_3_pixels_a_cell() {
    let spec = spec(
        r#"
name = "seed-cd-plane"
activations = ["relu", "elu", "selu", "softplus"]
[grid]
a = 1.0
b = 0.5
c = { from = -2.0, to = 2.0, points = 129 }
d = { from = -2.0, to = 2.0, points = 129 }
"#,
    );
    let records = synthetic_records(&spec);
    assert_eq!(records.len(), 129 * 129 * 4);
    let tmp = temp_dir("speed");
    let dir = tmp.path();
    let t = Instant::now();
    let report = render::render_all(dir, &spec, &records, Format::Png).unwrap();
    // Measured, not asserted: timing belongs in benchmarks, not tests.
    println!(
        "rendered 129 x 129 x 4 ({} pictures) in {:?}",
        report.pictures.len(),
        t.elapsed()
    );
    check_pngs(dir, &report, 3);
    let outcome = picture(&report, PictureKind::Outcome);
    assert_eq!(
        (
            outcome.layout.nx,
            outcome.layout.ny,
            outcome.layout.cell_width
        ),
        (129, 129, 3)
    );
}

#[test]
fn training_plot_draws_png() {
    let tmp = temp_dir("plot");
    let dir = tmp.path();
    let path = dir.join("plot.png");
    let snapshots = [
        (0, [1.0, 0.5, 1.0, -0.5]),
        (10, [1.2, 0.3, 1.1, -0.45]),
        (100, [1.6, 0.1, 0.9, -0.2]),
        (2000, [f64::NAN, 0.0, 1.0, 0.0]),
    ];
    training_plot::draw(&path, Activation::Selu, &snapshots).unwrap();
    let image = Image::read(&path);
    assert_eq!((image.width, image.height), (960, 580));
    assert!(image.colors_in((0, 0), (960, 580)) >= 8);
    let err = training_plot::draw(&dir.join("plot.jpg"), Activation::Selu, &snapshots).unwrap_err();
    assert!(err.to_string().contains(".png or .svg"), "{err}");
    assert!(training_plot::draw(&path, Activation::Selu, &[]).is_err());
}

#[test]
fn a_real_browser_loads_every_picture_and_the_summary() {
    if !have_chromium() {
        return;
    }
    let spec = spec(REAL_SPEC);
    let mut records = real_records(&spec);
    records.pop(); // one run missing: the page must say so
    let tmp = temp_dir("browser");
    let dir = tmp.path();
    std::fs::write(dir.join("runs.csv"), "a0,b0,c0,d0\n").unwrap();
    std::fs::write(dir.join("runs-shard-1-of-2.csv"), "a0,b0,c0,d0\n").unwrap();
    let report = render::render_all(dir, &spec, &records, Format::Png).unwrap();
    let page = std::fs::read_to_string(&report.index).unwrap();
    assert!(page.contains("href=\"runs.csv\"") && page.contains("href=\"runs-shard-1-of-2.csv\""));

    let (dom, loaded) = load_in_browser(dir);
    assert_all_loaded(&report, &loaded);

    // The summary table, as the browser parsed it, against the records.
    for activation in &spec.activations {
        for label in Label::ALL {
            let expected = records
                .iter()
                .filter(|r| r.activation == *activation && r.label() == label)
                .count();
            let cell = format!(
                "data-activation=\"{activation}\" data-label=\"{}\">{expected}<",
                label.name()
            );
            assert!(
                dom.contains(&cell),
                "summary cell {activation} {label} should read {expected}"
            );
        }
    }
    assert!(dom.contains("data-activation=\"softplus\" data-label=\"not-run\">1<"));

    let shot = dir.join("screenshot.png");
    let arg = format!("--screenshot={}", shot.display());
    let url = format!("file://{}", report.index.display());
    let output = chromium(&["--window-size=1400,2400", "--hide-scrollbars", &arg, &url])
        .expect("screenshot in time");
    assert!(output.status.success());
    let image = Image::read(&shot);
    assert!(image.colors_in((0, 0), (image.width as i32, image.height as i32)) > 20);
    println!(
        "page screenshot: {} (set BASINMAP_KEEP_RENDER=1 to keep it)",
        shot.display()
    );

    // The same page with SVG pictures.
    let tmp = temp_dir("browser-svg");
    let report = render::render_all(tmp.path(), &spec, &records, Format::Svg).unwrap();
    let (_, loaded) = load_in_browser(tmp.path());
    assert_all_loaded(&report, &loaded);
}

// ---------------------------------------------------------------------------
// Facets: several training variants (`[train]` lists) in one map.

/// Two learning rates on a 4 × 3 c–d plane, three activations.
const LR_SPEC: &str = r#"
name = "facets"
activations = ["relu", "selu", "softplus"]
[grid]
a = 1.0
b = 0.5
c = [-1.0, 0.0, 1.0, 2.0]
d = [-0.5, 0.0, 0.5]
[train]
steps = 300
lr = [0.01, 0.3]
"#;

/// Records with labels chosen so that every variant, activation and cell
/// differs from its neighbours: `label(variant, activation index, start,
/// replicate)`; converged runs converge at step `100 + 10 * variant`.
fn facet_records(
    spec: &SweepSpec,
    label: impl Fn(u32, usize, [f64; 4], u32) -> Label,
) -> Vec<RunRecord> {
    let mut records = Vec::new();
    for variant in 0..spec.train.variants().len() as u32 {
        for replicate in 0..spec.replicates {
            for (act, &activation) in spec.activations.iter().enumerate() {
                for start in grid_points(spec) {
                    let label = label(variant, act, start, replicate);
                    records.push(RunRecord {
                        start,
                        activation,
                        replicate,
                        variant,
                        outcome: RunOutcome {
                            params: start,
                            train_loss: 0.01,
                            eval_loss: 0.01,
                            label,
                            converged_at: (label == Label::Converged).then_some(100 + 10 * variant),
                            settled_step: 2000,
                            mean_loss: 0.02,
                        },
                    });
                }
            }
        }
    }
    records
}

/// Index of `value` on the grid axis `name`.
fn grid_index(spec: &SweepSpec, name: &str, value: f64) -> usize {
    let values = spec
        .grid
        .axes()
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, a)| a.values())
        .unwrap();
    index_of(&values, value).unwrap()
}

/// The panel of `picture` that shows `title` (an activation, or a variant's
/// label on compare maps) for the variant described as `variant`.
fn facet_panel(picture: &Picture, variant: &str, title: &str) -> usize {
    let found: Vec<usize> = (0..picture.panels.len())
        .filter(|&i| picture.variants[i] == variant && picture.panels[i] == title)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{}: panel {variant} / {title}",
        picture.file
    );
    found[0]
}

fn lr_label(variant: u32, act: usize, start: [f64; 4], _replicate: u32) -> Label {
    let ic = (start[2] + 1.0) as usize;
    let id = ((start[3] + 0.5) * 2.0) as usize;
    Label::ALL[(3 * variant as usize + act + ic + 2 * id) % Label::ALL.len()]
}

#[test]
fn facet_maps_place_each_variant_in_its_row() {
    let spec = spec(LR_SPEC);
    let variants: Vec<String> = spec.train.variants().iter().map(|v| v.describe()).collect();
    assert_eq!(variants, ["lr=0.01", "lr=0.3"]);
    let mut records = facet_records(&spec, lr_label);
    // Selu at c = 2 not run yet with lr 0.3 only; one record of a variant
    // the spec does not have.
    records.retain(|r| !(r.variant == 1 && r.activation == Activation::Selu && r.start[2] == 2.0));
    let mut stray = records[0];
    stray.variant = 7;
    records.push(stray);
    let tmp = temp_dir("facets");
    let dir = tmp.path();
    let report = render::render_all(dir, &spec, &records, Format::Png).unwrap();
    check_pngs(dir, &report, 3);
    assert_eq!(
        (report.runs_done, report.runs_total, report.runs_ignored),
        (72 - 3, 72, 1)
    );
    let kinds: Vec<PictureKind> = report.pictures.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            PictureKind::Outcome,
            PictureKind::Compare,
            PictureKind::Speed,
            PictureKind::Loss
        ]
    );

    let cell = |picture: &Picture, panel: usize, start: [f64; 4]| {
        let (ix, iy) = (
            grid_index(&spec, "c", start[2]),
            grid_index(&spec, "d", start[3]),
        );
        let ((x0, y0), (x1, y1)) = picture.layout.cell_rect(panel, ix, iy);
        assert!(x1 - x0 >= 12 && y1 - y0 >= 12);
        ((x0 + 3) as u32, (y0 + 3) as u32)
    };
    let run_of = |variant: u32, activation: Activation, start: [f64; 4]| {
        records
            .iter()
            .find(|r| r.variant == variant && r.activation == activation && r.start == start)
    };

    // Outcome and speed maps: one row per variant, one column per
    // activation, each cell the color of its record.
    for kind in [PictureKind::Outcome, PictureKind::Speed] {
        let p = picture(&report, kind);
        assert_eq!(p.panels.len(), 6, "{}", p.file);
        let image = Image::read(&dir.join(&p.file));
        for (v, variant) in variants.iter().enumerate() {
            for (act, activation) in spec.activations.iter().enumerate() {
                let panel = facet_panel(p, variant, activation.name());
                // Same column for an activation in every row; rows top down.
                let (x, y) = p.layout.panel_origins[panel];
                let (x0, y0) = p.layout.panel_origins[act];
                assert_eq!(x, x0, "{} {variant} {activation}", p.file);
                assert!(v == 0 || y > y0 + p.layout.ny as i32 * p.layout.cell_height as i32);
                for start in grid_points(&spec) {
                    let expected = match (kind, run_of(v as u32, *activation, start)) {
                        (_, None) => NOT_RUN,
                        (PictureKind::Outcome, Some(r)) => label_color(r.label()),
                        (_, Some(r)) if r.label() == Label::Converged => {
                            // Variant 0 converges at step 100, variant 1 at
                            // 110: the two ends of the shared scale.
                            let scale = render::heatmap::ColorScale {
                                min: 100.0,
                                max: 110.0,
                                log: false,
                                reversed: true,
                            };
                            scale.color(100.0 + 10.0 * v as f64)
                        }
                        _ => render::palette::NOT_CONVERGED,
                    };
                    assert_eq!(
                        image.pixel(cell(p, panel, start)),
                        expected,
                        "{}: {variant} {activation} at {start:?}",
                        p.file
                    );
                }
            }
        }
        assert!(
            p.caption
                .contains("ne row per training setting (lr=0.01; lr=0.3)"),
            "{}",
            p.caption
        );
    }
    let outcome = picture(&report, PictureKind::Outcome);
    assert!(
        outcome.caption.contains("lr=0.01: relu "),
        "{}",
        outcome.caption
    );
    assert!(
        outcome.caption.contains("; lr=0.3: relu "),
        "{}",
        outcome.caption
    );

    // The compare map: one panel per variant.
    let compare = picture(&report, PictureKind::Compare);
    assert_eq!(compare.panels, ["lr=0.01", "lr=0.3"]);
    let image = Image::read(&dir.join(&compare.file));
    let mut only_softplus = [0usize; 2];
    for (v, variant) in variants.iter().enumerate() {
        let panel = facet_panel(compare, variant, variant);
        for start in grid_points(&spec) {
            let selu = run_of(v as u32, Activation::Selu, start);
            let softplus = run_of(v as u32, Activation::Softplus, start).unwrap();
            let expected = match selu {
                None => NOT_RUN,
                Some(s) => {
                    let o = PairOutcome::of(
                        s.label() == Label::Converged,
                        softplus.label() == Label::Converged,
                    );
                    only_softplus[v] += usize::from(o == PairOutcome::OnlySecond);
                    o.color()
                }
            };
            assert_eq!(
                image.pixel(cell(compare, panel, start)),
                expected,
                "{variant} {start:?}"
            );
        }
    }
    assert!(only_softplus.iter().all(|&n| n > 0), "{only_softplus:?}");

    // The page: the variants listed, one summary block per variant, the
    // headline per variant.
    let page = std::fs::read_to_string(&report.index).unwrap();
    for (v, variant) in variants.iter().enumerate() {
        assert!(page.contains(&format!("<tbody data-variant=\"{variant}\">")));
        for activation in &spec.activations {
            for label in Label::ALL {
                let n = records
                    .iter()
                    .filter(|r| {
                        r.variant == v as u32 && r.activation == *activation && r.label() == label
                    })
                    .count();
                let td = format!(
                    "data-variant=\"{variant}\" data-activation=\"{activation}\" data-label=\"{}\">{n}<",
                    label.name()
                );
                assert!(page.contains(&td), "{td}");
            }
        }
        assert!(page.contains(&format!(
            "data-variant=\"{variant}\" data-count=\"{}\"",
            only_softplus[v]
        )));
    }
    assert!(
        page.contains("data-variant=\"lr=0.3\" data-activation=\"selu\" data-label=\"not-run\">3<")
    );
    assert!(page.contains(&format!(
        "data-count=\"{}\"",
        only_softplus[0] + only_softplus[1]
    )));
    assert!(page.contains("69 of 72 runs done"));
}

#[test]
fn facet_probability_and_marginal_maps_per_data_regime() {
    let spec = spec(
        r#"
name = "regimes"
activations = ["selu", "softplus"]
replicates = 3
[grid]
a = 1.0
b = [0.5, 1.0]
c = [-1.0, 0.0, 1.0, 2.0]
d = [-0.5, 0.0, 0.5]
[train]
steps = 300
data = { mode = ["fixed", "fresh"], n = 256, batch = [64, 16], seed = 0 }
"#,
    );
    let variants: Vec<String> = spec.train.variants().iter().map(|v| v.describe()).collect();
    assert_eq!(
        variants,
        [
            "data.mode=fixed, data.batch=-",
            "data.mode=fresh, data.batch=64",
            "data.mode=fresh, data.batch=16"
        ]
    );
    // k(variant, act, start) of the 3 replicates converge.
    let k = |variant: u32, act: usize, start: [f64; 4]| {
        let ib = usize::from(start[1] == 1.0);
        let ic = (start[2] + 1.0) as usize;
        let id = ((start[3] + 0.5) * 2.0) as usize;
        (variant as usize + act + ic + id + ib) % 4
    };
    let records = facet_records(&spec, |v, act, start, r| {
        if (r as usize) < k(v, act, start) {
            Label::Converged
        } else {
            Label::StuckLinear
        }
    });
    let tmp = temp_dir("regimes");
    let dir = tmp.path();
    let report = render::render_all(dir, &spec, &records, Format::Png).unwrap();
    check_pngs(dir, &report, 2);
    let count = |kind| report.pictures.iter().filter(|p| p.kind == kind).count();
    assert_eq!(count(PictureKind::Probability), 3);
    assert_eq!(count(PictureKind::Marginal), 3);

    let cd = |prefix: &str| {
        report
            .pictures
            .iter()
            .find(|p| p.file == format!("{prefix}-c-d.png"))
            .unwrap()
    };
    let (probability, marginal) = (cd("probability"), cd("marginal"));
    let titles = [
        "data.mode=fixed",
        "data.mode=fresh, data.batch=64",
        "data.mode=fresh, data.batch=16",
    ];
    for p in [probability, marginal] {
        assert_eq!(p.panels.len(), 6);
        let image = Image::read(&dir.join(&p.file));
        for (v, variant) in variants.iter().enumerate() {
            for (act, activation) in spec.activations.iter().enumerate() {
                let panel = facet_panel(p, variant, activation.name());
                for c in [-1.0, 0.0, 1.0, 2.0] {
                    for d in [-0.5, 0.0, 0.5] {
                        // The pin point's b = 0.5 slice, or both b values.
                        let converged: Vec<usize> = if p.kind == PictureKind::Probability {
                            vec![k(v as u32, act, [1.0, 0.5, c, d])]
                        } else {
                            vec![
                                k(v as u32, act, [1.0, 0.5, c, d]),
                                k(v as u32, act, [1.0, 1.0, c, d]),
                            ]
                        };
                        let fraction =
                            converged.iter().sum::<usize>() as f64 / (3 * converged.len()) as f64;
                        let (ix, iy) = (grid_index(&spec, "c", c), grid_index(&spec, "d", d));
                        let ((x0, y0), _) = p.layout.cell_rect(panel, ix, iy);
                        assert_eq!(
                            image.pixel(((x0 + 3) as u32, (y0 + 3) as u32)),
                            render::palette::viridis(fraction),
                            "{} {variant} {activation} c={c} d={d}",
                            p.file
                        );
                    }
                }
            }
        }
        for title in titles {
            assert!(p.caption.contains(title), "{}", p.caption);
        }
    }
    // Outcome maps show the majority label per variant.
    let outcome = cd("outcome");
    let image = Image::read(&dir.join(&outcome.file));
    for (v, variant) in variants.iter().enumerate() {
        let panel = facet_panel(outcome, variant, "softplus");
        let start = [1.0, 0.5, 1.0, 0.0];
        let expected = if k(v as u32, 1, start) >= 2 {
            Label::Converged
        } else {
            Label::StuckLinear
        };
        let ((x0, y0), _) = outcome.layout.cell_rect(panel, 2, 1);
        assert_eq!(
            image.pixel(((x0 + 3) as u32, (y0 + 3) as u32)),
            label_color(expected),
            "{variant}"
        );
    }
}

#[test]
fn facet_svg_is_well_formed_and_labels_its_rows() {
    let spec = spec(LR_SPEC);
    let records = facet_records(&spec, lr_label);
    let tmp = temp_dir("facets-svg");
    let dir = tmp.path();
    let report = render::render_all(dir, &spec, &records, Format::Svg).unwrap();
    for p in &report.pictures {
        let text = std::fs::read_to_string(dir.join(&p.file)).unwrap();
        check_xml(&text).unwrap_or_else(|e| panic!("{}: {e}", p.file));
        for variant in ["lr=0.01", "lr=0.3"] {
            // plotters writes each text on a line of its own.
            assert!(
                text.contains(&format!("\n{variant}\n")),
                "{}: {variant}",
                p.file
            );
        }
        assert!(text.contains(&format!("width=\"{}\"", p.layout.width)));
    }
    let page = std::fs::read_to_string(&report.index).unwrap();
    assert!(page.contains("<li data-variant=\"lr=0.3\">"));
}

#[test]
fn a_single_variant_draws_no_facets() {
    // `lr = [0.1]` lists one value: the same pictures as `lr = 0.1`, with
    // no row labels, and a page without variant blocks.
    let plain = spec(REAL_SPEC);
    let listed = spec(&REAL_SPEC.replace("steps = 2000", "steps = 2000\nlr = [0.1]"));
    assert_eq!(listed.train.variants().len(), 1);
    let records = synthetic_records(&plain);
    let (a, b) = (temp_dir("single-a"), temp_dir("single-b"));
    let ra = render::render_all(a.path(), &plain, &records, Format::Png).unwrap();
    let rb = render::render_all(b.path(), &listed, &records, Format::Png).unwrap();
    assert_eq!(ra.pictures.len(), rb.pictures.len());
    for (p, q) in ra.pictures.iter().zip(&rb.pictures) {
        assert_eq!(p.file, q.file);
        assert!(p.variants.iter().all(String::is_empty), "{:?}", p.variants);
        assert_eq!(p.caption, q.caption);
        let bytes = |dir: &Path| std::fs::read(dir.join(&p.file)).unwrap();
        assert!(bytes(a.path()) == bytes(b.path()), "{} differs", p.file);
    }
    let outcome = picture(&ra, PictureKind::Outcome);
    assert!(
        !outcome.caption.contains("training setting"),
        "{}",
        outcome.caption
    );
    let page = std::fs::read_to_string(&ra.index).unwrap();
    assert!(!page.contains("data-variant"));
}

#[test]
fn a_real_browser_shows_every_variant_and_summary_by_setting() {
    if !have_chromium() {
        return;
    }
    // A real (short) sweep through the binary: run renders the maps.
    let tmp = temp_dir("browser-facets");
    let dir = tmp.path();
    let spec_path = dir.join("facets.toml");
    std::fs::write(
        &spec_path,
        LR_SPEC.replace(
            "[\"relu\", \"selu\", \"softplus\"]",
            "[\"selu\", \"softplus\"]",
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_basinmap"))
        .args([
            "run",
            spec_path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            "1",
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary = Command::new(env!("CARGO_BIN_EXE_basinmap"))
        .args(["summary", out.to_str().unwrap(), "--json", "--by", "lr"])
        .output()
        .unwrap();
    assert!(
        summary.status.success(),
        "{}",
        String::from_utf8_lossy(&summary.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&summary.stdout).unwrap();

    let (dom, loaded) = load_in_browser(&out);
    let pngs = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    assert_eq!(loaded.len(), pngs, "{loaded:?}");
    assert!(
        loaded.iter().all(|(_, w, h)| *w > 0 && *h > 0),
        "{loaded:?}"
    );

    let groups = json.as_object().unwrap();
    assert_eq!(groups.len(), 2, "{json}");
    for (value, by_activation) in groups {
        for (activation, entry) in by_activation.as_object().unwrap() {
            for (label, counted) in entry["labels"].as_object().unwrap() {
                let n = &counted["count"];
                let cell = format!(
                    "data-variant=\"lr={value}\" data-activation=\"{activation}\" data-label=\"{label}\">{n}<"
                );
                assert!(dom.contains(&cell), "summary cell {cell}");
            }
        }
    }
}

#[test]
fn facets_with_more_than_four_activations_wrap_within_their_variant() {
    let spec = spec(
        r#"
name = "wide"
activations = ["relu", "leaky_relu", "elu", "selu", "softplus", "gelu"]
[grid]
a = 1.0
b = 0.5
c = [0.0, 1.0]
d = [-0.5, 0.5]
[train]
steps = 300
precision = ["f32", "f64"]
"#,
    );
    let records = facet_records(&spec, |v, act, start, _| {
        Label::ALL[(v as usize * 2 + act + usize::from(start[2] == 1.0)) % Label::ALL.len()]
    });
    let tmp = temp_dir("wide");
    let dir = tmp.path();
    let report = render::render_all(dir, &spec, &records, Format::Png).unwrap();
    check_pngs(dir, &report, 2);
    let outcome = picture(&report, PictureKind::Outcome);
    let image = Image::read(&dir.join(&outcome.file));
    let layout = &outcome.layout;
    assert_eq!(layout.columns, 4);
    let mut row_tops = Vec::new();
    for (v, variant) in ["precision=f32", "precision=f64"].iter().enumerate() {
        for (act, activation) in spec.activations.iter().enumerate() {
            let panel = facet_panel(outcome, variant, activation.name());
            let (x, y) = layout.panel_origins[panel];
            // Columns 0-3, then 0-1 on the variant's second row.
            assert_eq!(x, layout.panel_origins[act % 4].0, "{variant} {activation}");
            if act % 4 == 0 {
                row_tops.push(y);
            }
            for record in records
                .iter()
                .filter(|r| r.variant == v as u32 && r.activation == *activation)
            {
                let (ix, iy) = (
                    grid_index(&spec, "c", record.start[2]),
                    grid_index(&spec, "d", record.start[3]),
                );
                let ((x0, y0), _) = layout.cell_rect(panel, ix, iy);
                assert_eq!(
                    image.pixel(((x0 + 3) as u32, (y0 + 3) as u32)),
                    label_color(record.label()),
                    "{variant} {activation} {:?}",
                    record.start
                );
            }
        }
    }
    // Four rows of panels, top to bottom, the second variant's after a band.
    assert_eq!(row_tops.len(), 4);
    assert!(row_tops.windows(2).all(|w| w[0] < w[1]), "{row_tops:?}");
    let gaps: Vec<i32> = row_tops.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps[1] > gaps[0] && gaps[2] == gaps[0], "{gaps:?}");
}
