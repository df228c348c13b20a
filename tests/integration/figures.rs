//! The static pictures as a reader sees them, read back from the files:
//! panel titles and legends count the cells drawn (and list only what
//! occurs), SVG cells have no seams, PNGs hold two device pixels per layout
//! pixel, and `train --plot` states the outcome, draws the loss over the
//! steps, keeps every curve visible and never labels a tick "-0".

use crate::util::png::Image;
use crate::util::xml::check_xml;
use crate::util::{ok, run};
use basinmap::classify::Label;
use basinmap::problem::activation::Activation;
use basinmap::render::palette::label_color;
use basinmap::render::training_plot::{self, RunTrace, STEP_COLORS, TARGET_COLOR};
use basinmap::render::{self, Format, Picture, PictureKind, RenderReport};
use basinmap::spec::SweepSpec;
use basinmap::store::RunRecord;
use basinmap::train::RunOutcome;
use plotters::style::RGBColor;
use std::path::Path;

/// The palette's ink: frames, ticks and text.
const INK: RGBColor = RGBColor(34, 34, 34);

fn spec(text: &str) -> SweepSpec {
    SweepSpec::parse(text, Path::new("figures.toml")).expect("test spec parses")
}

/// 40 × 30 starts (1,200 a panel, so counts need a thousands separator).
const PLANE: &str = r#"
name = "figures"
activations = ["selu", "softplus"]
[grid]
a = 1.0
b = 0.5
c = { from = -2.0, to = 2.0, points = 40 }
d = { from = -1.5, to = 1.5, points = 30 }
"#;

/// One record per start, activation and replicate of `spec`, labelled by
/// `label(activation, ic, id, replicate)` (`None`: not run yet).
fn records(
    spec: &SweepSpec,
    label: impl Fn(Activation, usize, usize, u32) -> Option<Label>,
) -> Vec<RunRecord> {
    let (cs, ds) = (spec.grid.c.values(), spec.grid.d.values());
    let mut records = Vec::new();
    for replicate in 0..spec.replicates {
        for &activation in &spec.activations {
            for (ic, &c) in cs.iter().enumerate() {
                for (id, &d) in ds.iter().enumerate() {
                    let Some(label) = label(activation, ic, id, replicate) else {
                        continue;
                    };
                    let start = [1.0, 0.5, c, d];
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
                                .then_some(100 + (ic * 7 + id) as u32),
                            settled_step: 2000,
                            mean_loss: 0.01 * (1 + ic) as f64,
                        },
                    });
                }
            }
        }
    }
    records
}

/// Selu converges in the left third and stalls linear right of it, dies
/// in the bottom three rows; softplus converges everywhere but the top
/// row's right part.
fn plane_label(activation: Activation, ic: usize, id: usize) -> Label {
    match activation {
        Activation::Selu if id < 3 => Label::StuckDead,
        Activation::Selu if ic < 13 => Label::Converged,
        Activation::Selu => Label::StuckLinear,
        _ if id == 29 && ic >= 13 => Label::Unconverged,
        _ => Label::Converged,
    }
}

/// `"{n} ({p}%)"` as a legend counts `n` of `whole` cells.
fn count_share(n: usize, whole: usize) -> String {
    let share = 100.0 * n as f64 / whole as f64;
    let percent = if share < 1.0 {
        "<1%".to_string()
    } else {
        format!("{share:.0}%")
    };
    format!("{} ({percent})", grouped(n))
}

/// `16641` as `"16,641"`, written out again so the test does not trust the
/// code it checks.
fn grouped(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

struct TempDir(tempfile::TempDir);

fn temp_dir(name: &str) -> TempDir {
    TempDir(
        tempfile::Builder::new()
            .prefix(&format!("basinmap-figures-{name}-"))
            .tempdir()
            .unwrap(),
    )
}

impl TempDir {
    fn path(&self) -> &Path {
        self.0.path()
    }
}

fn picture(report: &RenderReport, kind: PictureKind) -> &Picture {
    report
        .pictures
        .iter()
        .find(|p| p.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} picture"))
}

/// The text of every `<text>` element, in document order.
fn svg_elements(path: &Path) -> Vec<String> {
    let svg = std::fs::read_to_string(path).unwrap();
    check_xml(&svg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            n.descendants()
                .filter(|t| t.is_text())
                .filter_map(|t| t.text())
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect()
}

/// The texts as a reader sees them: a panel's note, drawn as its own text
/// (`"· converged 28% (…)"`) after the title, joined to it.
fn svg_texts(path: &Path) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    for text in svg_elements(path) {
        match (text.starts_with("· "), texts.last_mut()) {
            (true, Some(title)) => {
                title.push(' ');
                title.push_str(&text);
            }
            _ => texts.push(text),
        }
    }
    texts
}

/// An element's `shape-rendering` as rendered: its own or an enclosing
/// group's.
fn rendering<'a>(node: &roxmltree::Node<'a, '_>) -> Option<&'a str> {
    node.ancestors()
        .find_map(|a| a.attribute("shape-rendering"))
}

/// The text drawn right after `entry` (a legend swatch's count).
fn next_after<'a>(texts: &'a [String], entry: &str) -> &'a str {
    let i = texts
        .iter()
        .position(|t| t == entry)
        .unwrap_or_else(|| panic!("no legend entry {entry:?} in {texts:?}"));
    &texts[i + 1]
}

#[test]
fn outcome_titles_and_legend_count_the_drawn_cells() {
    let spec = spec(PLANE);
    let records = records(&spec, |act, ic, id, _| Some(plane_label(act, ic, id)));
    let tmp = temp_dir("outcome");
    let report = render::render_all(tmp.path(), &spec, &records, Format::Svg).unwrap();
    let outcome = picture(&report, PictureKind::Outcome);
    // The page still knows the panels by activation.
    assert_eq!(outcome.panels, ["selu", "softplus"]);
    let texts = svg_texts(&tmp.path().join(&outcome.file));
    // The title is a text of its own, as the page's tests look for it.
    let elements = svg_elements(&tmp.path().join(&outcome.file));
    assert!(elements.iter().any(|t| t == "selu"), "{elements:?}");

    // Selu: 13 of 40 columns converge above the 3 dead rows.
    let selu_converged = 13 * 27;
    let softplus_converged = 1200 - 27;
    for title in [
        format!(
            "selu · converged {:.0}% ({} of 1,200)",
            100.0 * selu_converged as f64 / 1200.0,
            grouped(selu_converged)
        ),
        format!(
            "softplus · converged {:.0}% ({} of 1,200)",
            100.0 * softplus_converged as f64 / 1200.0,
            grouped(softplus_converged)
        ),
    ] {
        assert!(texts.contains(&title), "no title {title:?} in {texts:?}");
    }

    // The legend: the four labels that occur, counted over both panels
    // (2,400 cells); no "diverged", no "not run yet".
    let expected = [
        ("converged", selu_converged + softplus_converged),
        ("stuck-linear", 27 * 27),
        ("stuck-dead", 3 * 40),
        ("unconverged", 27),
    ];
    let mut total = 0;
    for (label, n) in expected {
        assert_eq!(next_after(&texts, label), count_share(n, 2400), "{label}");
        total += n;
    }
    assert_eq!(total, 2400);
    assert!(!texts.iter().any(|t| t == "diverged"), "{texts:?}");
    assert!(!texts.iter().any(|t| t == "not run yet"), "{texts:?}");

    // The compare map counts where only softplus converges: selu's stuck
    // cells but the top row's right part, where neither does.
    let compare = picture(&report, PictureKind::Compare);
    let texts = svg_texts(&tmp.path().join(&compare.file));
    let only_softplus = 27 * 27 + 3 * 40 - 27;
    let title = format!(
        "selu vs softplus · only softplus {:.0}% ({} of 1,200)",
        100.0 * only_softplus as f64 / 1200.0,
        grouped(only_softplus)
    );
    assert!(texts.contains(&title), "no title {title:?} in {texts:?}");
    for (entry, n) in [
        ("only softplus converges", only_softplus),
        ("both converge", selu_converged),
        ("neither converges", 27),
    ] {
        assert_eq!(next_after(&texts, entry), count_share(n, 1200), "{entry}");
    }
    // Selu never converges where softplus does not: that entry is absent.
    assert!(
        !texts.iter().any(|t| t == "only selu converges"),
        "{texts:?}"
    );
    assert!(!texts.iter().any(|t| t == "not run yet"), "{texts:?}");

    // Speed maps count the converged cells they shade.
    let speed = picture(&report, PictureKind::Speed);
    let texts = svg_texts(&tmp.path().join(&speed.file));
    let selu_speed = format!("selu · {selu_converged} converged, median step");
    assert!(
        texts.iter().any(|t| t.starts_with(&selu_speed)),
        "no {selu_speed:?} in {texts:?}"
    );
    assert_eq!(
        next_after(&texts, "did not converge"),
        count_share(2400 - selu_converged - softplus_converged, 2400)
    );
}

#[test]
fn partial_sweeps_count_what_is_done_and_what_is_not() {
    let spec = spec(PLANE);
    // Softplus has not run its right half yet.
    let records = records(&spec, |act, ic, id, _| {
        (act == Activation::Selu || ic < 20).then(|| plane_label(act, ic, id))
    });
    let tmp = temp_dir("partial");
    let report = render::render_all(tmp.path(), &spec, &records, Format::Svg).unwrap();
    let outcome = picture(&report, PictureKind::Outcome);
    let texts = svg_texts(&tmp.path().join(&outcome.file));
    // Of softplus's 600 finished cells, all but 7 of the top row converged.
    assert!(
        texts.contains(&"softplus · converged 99% (593 of 600)".to_string()),
        "{texts:?}"
    );
    assert_eq!(next_after(&texts, "not run yet"), "600 (25%)");
    let loss = picture(&report, PictureKind::Loss);
    let texts = svg_texts(&tmp.path().join(&loss.file));
    assert_eq!(next_after(&texts, "not run yet"), "600 (25%)");
    assert!(
        texts.iter().any(|t| t.starts_with("softplus · median ")),
        "{texts:?}"
    );
}

#[test]
fn with_replicates_titles_count_starts_by_their_majority_label() {
    let spec = spec(&PLANE.replace("[grid]", "replicates = 3\n[grid]"));
    // Selu: every start converges in replicate 0 only, so its majority
    // label is stuck-linear everywhere although a third of its runs
    // converged. Softplus: two of three converge everywhere.
    let records = records(&spec, |act, _, _, replicate| {
        Some(match (act, replicate) {
            (Activation::Selu, 0) => Label::Converged,
            (Activation::Selu, _) => Label::StuckLinear,
            (_, 2) => Label::StuckDead,
            _ => Label::Converged,
        })
    });
    let tmp = temp_dir("replicates");
    let report = render::render_all(tmp.path(), &spec, &records, Format::Svg).unwrap();
    let texts = svg_texts(
        &tmp.path()
            .join(&picture(&report, PictureKind::Outcome).file),
    );
    for title in [
        "selu · converged 0% (0 of 1,200 starts)",
        "softplus · converged 100% (1,200 of 1,200 starts)",
    ] {
        assert!(texts.contains(&title.to_string()), "{title} in {texts:?}");
    }
    assert_eq!(next_after(&texts, "stuck-linear"), "1,200 (50%)");
    assert!(!texts.iter().any(|t| t == "stuck-dead"), "{texts:?}");
    // The probability map counts runs, each replicate one.
    let texts = svg_texts(
        &tmp.path()
            .join(&picture(&report, PictureKind::Probability).file),
    );
    assert!(
        texts.contains(&"selu · converged 33% of 3,600 runs".to_string()),
        "{texts:?}"
    );
}

#[test]
fn svg_cells_render_with_crisp_edges_and_markers_stay_smooth() {
    // The plane holds the original start c = 1, d = -0.5: a circle marker.
    let spec = spec(
        r#"
name = "crisp"
activations = ["selu", "softplus"]
[grid]
a = 1.0
b = 0.5
c = [0.0, 1.0, 2.0]
d = [-0.5, 0.0, 0.5]
"#,
    );
    let records = records(&spec, |act, ic, id, _| {
        Some(if act == Activation::Selu && ic + id < 2 {
            Label::StuckLinear
        } else {
            Label::Converged
        })
    });
    let tmp = temp_dir("crisp");
    let report = render::render_all(tmp.path(), &spec, &records, Format::Svg).unwrap();
    for p in &report.pictures {
        assert_eq!(p.layout.pixel_ratio, 1, "{}", p.file);
        let svg = std::fs::read_to_string(tmp.path().join(&p.file)).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let filled: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") != Some("none"))
            .collect();
        // Every cell (2 panels of 9; runs of a color share a rect) and
        // more: background, swatches.
        assert!(
            filled.len() >= 6,
            "{}: {} filled rects",
            p.file,
            filled.len()
        );
        for rect in &filled {
            assert_eq!(rendering(rect), Some("crispEdges"), "{}: {rect:?}", p.file);
        }
        let smooth = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle") || n.has_tag_name("text"))
            .inspect(|n| assert_eq!(rendering(n), None, "{}: {n:?}", p.file))
            .count();
        assert!(smooth > 10, "{}", p.file);
        assert!(
            doc.descendants().any(|n| n.has_tag_name("circle")),
            "{}: the start marker",
            p.file
        );
    }
}

#[test]
fn pngs_hold_two_device_pixels_per_layout_pixel() {
    let spec = spec(PLANE);
    let records = records(&spec, |act, ic, id, _| Some(plane_label(act, ic, id)));
    let tmp = temp_dir("hidpi");
    let report = render::render_all(tmp.path(), &spec, &records, Format::Png).unwrap();
    for p in &report.pictures {
        let image = Image::read(&tmp.path().join(&p.file));
        assert_eq!(p.layout.pixel_ratio, 2, "{}", p.file);
        assert_eq!(image.pixel_ratio, 2, "{}: pHYs", p.file);
        assert_eq!(
            image.device_size(),
            (p.layout.width * 2, p.layout.height * 2),
            "{}",
            p.file
        );
    }
    // Each cell covers exactly its layout rectangle times two: every device
    // pixel inside has the label's color, the ones just outside another.
    let outcome = picture(&report, PictureKind::Outcome);
    let image = Image::read(&tmp.path().join(&outcome.file));
    for (ic, id) in [(5, 10), (12, 10), (13, 10), (30, 2), (39, 29)] {
        let color = label_color(plane_label(Activation::Selu, ic, id));
        let ((x0, y0), (x1, y1)) = outcome.layout.cell_rect(0, ic, id);
        for y in 2 * y0..2 * y1 {
            for x in 2 * x0..2 * x1 {
                assert_eq!(
                    image.device_pixel((x as u32, y as u32)),
                    color,
                    "cell ({ic}, {id}) at device ({x}, {y})"
                );
            }
        }
    }
    // Lines are drawn twice as thick: the panel frame is two device pixels.
    let ((x0, _), _) = outcome.layout.cell_rect(0, 0, 15);
    let (_, y) = outcome.layout.cell_center(0, 0, 15);
    let frame = (2 * (x0 - 1)) as u32;
    for x in [frame, frame + 1] {
        assert_eq!(image.device_pixel((x, 2 * y)), INK, "x {x}");
    }
    assert_ne!(image.device_pixel((frame - 1, 2 * y)), INK);
}

#[test]
fn a_129_by_129_outcome_map_of_four_activations_stays_small() {
    let spec = spec(
        r#"
name = "size"
activations = ["relu", "elu", "selu", "softplus"]
[grid]
a = 1.0
b = 0.5
c = { from = -2.0, to = 2.0, points = 129 }
d = { from = -2.0, to = 2.0, points = 129 }
"#,
    );
    // Basins with curved borders, as real maps have.
    let records = records(&spec, |act, ic, id, _| {
        let (c, d) = (ic as f64 / 64.0 - 1.0, id as f64 / 64.0 - 1.0);
        let bend = match act {
            Activation::Relu => 0.2,
            Activation::Elu => 0.4,
            Activation::Selu => 0.6,
            _ => 0.8,
        };
        Some(if c * c + d < bend - 0.5 {
            Label::StuckDead
        } else if c * d + c > bend {
            Label::StuckLinear
        } else {
            Label::Converged
        })
    });
    let tmp = temp_dir("size");
    let report = render::render_all(tmp.path(), &spec, &records, Format::Png).unwrap();
    let outcome = picture(&report, PictureKind::Outcome);
    let bytes = std::fs::metadata(tmp.path().join(&outcome.file))
        .unwrap()
        .len();
    println!(
        "{}: {} x {} pixels, {bytes} bytes",
        outcome.file,
        outcome.layout.width * 2,
        outcome.layout.height * 2
    );
    assert!(bytes < 1_000_000, "{bytes} bytes");
}

/// What `train --json` reports about a run.
fn train_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["train"];
    all.extend_from_slice(args);
    all.push("--json");
    serde_json::from_str(&ok(&run(&all))).expect("json")
}

/// `train <args> --plot <path>`.
fn plot_args<'a>(args: &[&'a str], path: &'a Path) -> Vec<&'a str> {
    let mut all = vec!["train"];
    all.extend_from_slice(args);
    all.extend(["--plot", path.to_str().unwrap()]);
    all
}

/// A tick label that reads as a negative zero: "-0", "-0.0", "-0.00".
fn negative_zero(text: &str) -> bool {
    text.starts_with('-') && text.parse::<f64>().is_ok_and(|v| v == 0.0)
}

#[test]
fn train_plot_states_the_outcome_and_draws_the_loss() {
    let tmp = temp_dir("train-plot");
    let svg = tmp.path().join("selu.svg");
    let start = ["--act", "selu", "--start", "1,0.5,1,-0.5"];
    ok(&run(&plot_args(&start, &svg)));
    let json = train_json(&start);
    assert_eq!(json["label"], "stuck-linear");
    let texts = svg_texts(&svg);
    let eval = json["eval_loss"].as_f64().unwrap();
    let title = format!(
        "selu from a=1, b=0.5, c=1, d=-0.5: stuck-linear, eval loss {}",
        // Three significant digits, as the title rounds.
        format!("{eval:.4}").trim_end_matches('0')
    );
    assert!(
        texts.iter().any(|t| t.starts_with(&title)),
        "no {title:?} in {texts:?}"
    );
    for axis in ["training loss", "step", "g(x)", "x"] {
        assert!(texts.iter().any(|t| t == axis), "no axis {axis:?}");
    }
    let settled = format!("settled at step {}", json["settled_step"]);
    assert!(texts.contains(&settled), "no {settled:?} in {texts:?}");
    // A stuck run never converged: nothing marks it.
    assert!(!texts.iter().any(|t| t.starts_with("converged from")));
    // Ticks: zero reads "0" and nothing reads "-0".
    assert!(texts.iter().any(|t| t == "0"), "{texts:?}");
    let minus_zero: Vec<&String> = texts.iter().filter(|t| negative_zero(t)).collect();
    assert!(minus_zero.is_empty(), "{minus_zero:?}");

    let svg = tmp.path().join("softplus.svg");
    let start = ["--act", "softplus", "--start", "1,0.5,1,0"];
    ok(&run(&plot_args(&start, &svg)));
    let json = train_json(&start);
    let texts = svg_texts(&svg);
    assert!(
        texts.iter().any(|t| t.contains(": converged, eval loss")),
        "{texts:?}"
    );
    let converged = format!("converged from step {}", json["converged_at"]);
    assert!(texts.contains(&converged), "no {converged:?} in {texts:?}");
    assert!(!texts.iter().any(|t| negative_zero(t)), "{texts:?}");
}

#[test]
fn train_plot_png_is_drawn_at_twice_its_layout_size() {
    let tmp = temp_dir("train-png");
    let png = tmp.path().join("plot.png");
    ok(&run(&[
        "train",
        "--act",
        "selu",
        "--start",
        "1,0.5,1,-0.5",
        "--plot",
        png.to_str().unwrap(),
    ]));
    let image = Image::read(&png);
    assert_eq!(image.pixel_ratio, 2);
    assert_eq!((image.width, image.height), (960, 940));
    assert_eq!(image.device_size(), (1920, 1880));
    // The loss panel below the function is drawn, not blank.
    assert!(image.colors_in((0, 600), (710, 940)) > 20);
}

/// Device pixels of exactly `color` in the layout rectangle `(x0, y0)` to
/// `(x1, y1)`.
fn count_color(
    image: &Image,
    color: RGBColor,
    (x0, y0): (u32, u32),
    (x1, y1): (u32, u32),
) -> usize {
    let r = image.pixel_ratio;
    (y0 * r..y1 * r)
        .flat_map(|y| (x0 * r..x1 * r).map(move |x| (x, y)))
        .filter(|&p| image.device_pixel(p) == color)
        .count()
}

#[test]
fn coinciding_curves_and_the_target_all_stay_visible() {
    // Three snapshots learned relu exactly: they, and relu, lie on one line.
    let relu = [1.0, 0.0, 1.0, 0.0];
    let snapshots = [
        (0, [1.0, 0.5, 1.0, -0.5]),
        (10, relu),
        (100, relu),
        (2000, relu),
    ];
    let run = RunTrace {
        losses: (0..=2000).map(|s| 0.3 / (1.0 + f64::from(s))).collect(),
        label: Label::Converged,
        train_loss: 0.0,
        eval_loss: 0.0,
        settled_step: 1990,
        converged_at: Some(9),
        threshold: 0.03,
    };
    let tmp = temp_dir("coincide");
    let path = tmp.path().join("plot.png");
    training_plot::draw_run(&path, Activation::Relu, &snapshots, Some(&run)).unwrap();
    let image = Image::read(&path);
    // The function chart, left of its legend and above the loss panel.
    let chart = ((0, 44), (710, 580));
    for (i, color) in STEP_COLORS.iter().take(snapshots.len()).enumerate() {
        let n = count_color(&image, *color, chart.0, chart.1);
        assert!(n > 500, "snapshot {i}: {n} pixels");
    }
    let target = count_color(&image, TARGET_COLOR, chart.0, chart.1);
    assert!(target > 500, "relu: {target} pixels");
}
