//! The page's explorer, as a reader uses it in a real browser: hover a known
//! cell and read its run, click it and get the learned functions and a
//! command that reruns it, compare another pair, zoom every panel together;
//! the page's activation functions against the Rust reference; no sideways
//! scroll on a phone, no network request, no console error; and the size
//! budget of large sweeps.

use crate::render::{real_records, spec, synthetic_records, temp_dir};
use crate::util::browser::{have_chromium, probe_page};
use basinmap::classify::Label;
use basinmap::problem::activation::Activation;
use basinmap::render::explorer::DETAIL_BUDGET;
use basinmap::render::palette::PairOutcome;
use basinmap::render::{self, Format};
use basinmap::spec::SweepSpec;
use basinmap::store::RunRecord;
use std::path::Path;
use std::process::Command;

/// Three activations on a 7 × 5 c–d plane, 300 steps: quick to train, and
/// every label but `diverged` occurs.
const PAGE_SPEC: &str = r#"
name = "page-test"
activations = ["relu", "selu", "softplus"]
[grid]
a = 1.0
b = 0.5
c = { from = -1.0, to = 2.0, points = 7 }
d = { from = -1.5, to = 0.5, points = 5 }
[train]
steps = 300
"#;

/// Records errors, console errors and blocked loads before the page runs.
const WATCH_ERRORS: &str = r#"
window.pageErrors = [];
window.addEventListener('error', function (e) { window.pageErrors.push('error: ' + e.message); });
document.addEventListener('securitypolicyviolation', function (e) { window.pageErrors.push('blocked: ' + e.blockedURI); });
var consoleError = console.error;
console.error = function () { window.pageErrors.push('console: ' + Array.prototype.join.call(arguments, ' ')); consoleError.apply(console, arguments); };
"#;

/// Writes the spec where the page's command expects it, and renders.
fn render_page(dir: &Path, text: &str, records: &[RunRecord]) -> SweepSpec {
    let spec = spec(text);
    std::fs::write(dir.join("spec.toml"), text).unwrap();
    render::render_all(dir, &spec, records, Format::Png).unwrap();
    spec
}

fn value_after<'a>(lines: &'a [String], prefix: &str) -> &'a str {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in {lines:#?}"))
}

/// A number as the page prints it (`−` for minus, `–` for none).
fn page_number(text: &str) -> f64 {
    let text = text.trim().trim_end_matches(',').replace('−', "-");
    text.parse()
        .unwrap_or_else(|_| panic!("not a number on the page: {text:?}"))
}

/// The number that follows `key` (such as `"a="`) in `text`.
fn number_after(text: &str, key: &str) -> f64 {
    let at = text
        .find(key)
        .unwrap_or_else(|| panic!("{key} not in {text:?}"))
        + key.len();
    let rest = &text[at..];
    let end = rest.find([',', ' ', '|', ')']).unwrap_or(rest.len());
    page_number(&rest[..end])
}

fn assert_close(page: f64, row: f64, what: &str) {
    assert!(
        (page - row).abs() <= 1e-5 * row.abs().max(1e-30),
        "{what}: page shows {page}, the runs table holds {row}"
    );
}

fn record(records: &[RunRecord], activation: Activation, c: f64, d: f64) -> &RunRecord {
    records
        .iter()
        .find(|r| r.activation == activation && r.start[2] == c && r.start[3] == d)
        .expect("the run is in the records")
}

#[test]
fn hover_and_click_show_the_run_its_learned_functions_and_a_command_that_reruns_it() {
    if !have_chromium() {
        return;
    }
    let tmp = temp_dir("page-hover");
    let dir = tmp.path();
    let spec = spec(PAGE_SPEC);
    let records = real_records(&spec);
    render_page(dir, PAGE_SPEC, &records);
    let (ix, iy) = (5usize, 1usize);
    let (c, d) = (spec.grid.c.values()[ix], spec.grid.d.values()[iy]);
    let script = format!(
        r#"
var bm = window.basinmap;
window.probe.push('READY ' + document.documentElement.getAttribute('data-explorer'));
var canvases = bm.canvases();
var k = canvases.findIndex(function (c) {{ return c.getAttribute('data-activation') === 'selu'; }});
var at = bm.cellCenter(k, {ix}, {iy});
var options = {{ clientX: at.x, clientY: at.y, bubbles: true, pointerId: 1, button: 0 }};
canvases[k].dispatchEvent(new PointerEvent('pointermove', options));
var tip = document.getElementById('x-tip');
window.probe.push('TIP ' + Array.prototype.map.call(tip.children, function (e) {{ return e.textContent; }}).join(' | '));
window.probe.push('TIPVISIBLE ' + !tip.hidden);
canvases[k].dispatchEvent(new PointerEvent('pointerdown', options));
canvases[k].dispatchEvent(new PointerEvent('pointerup', options));
window.probe.push('PINNED ' + document.getElementById('x-pinned-start').textContent);
Array.prototype.forEach.call(document.querySelectorAll('#x-runs tr'), function (tr) {{
  window.probe.push('ROW ' + tr.getAttribute('data-activation') + ' ' + (tr.className === 'chosen') + ' ' +
    Array.prototype.map.call(tr.cells, function (td) {{ return td.textContent; }}).join('|'));
}});
window.probe.push('CURVES ' + Array.prototype.map.call(document.querySelectorAll('#x-function polyline.learned'), function (l) {{ return l.getAttribute('data-activation'); }}).join(' '));
window.probe.push('KINKS ' + Array.prototype.map.call(document.querySelectorAll('#x-function line.kink'), function (l) {{ return l.getAttribute('data-activation'); }}).join(' '));
window.probe.push('TARGET ' + document.querySelectorAll('#x-function polyline.target').length);
window.probe.push('COMMAND ' + document.getElementById('x-command').textContent);
// Keyboard: the same panel, one start to the left, pinned with Enter.
canvases[k].focus();
canvases[k].dispatchEvent(new KeyboardEvent('keydown', {{ key: 'ArrowLeft', bubbles: true }}));
canvases[k].dispatchEvent(new KeyboardEvent('keydown', {{ key: 'Enter', bubbles: true }}));
window.probe.push('KEYPIN ' + bm.state.pinned.ix + ' ' + bm.state.pinned.iy);
// The static outcome picture answers hover too, at the same start.
var info = bm.data.pictures.filter(function (p) {{ return p.file.indexOf('outcome-') === 0; }})[0];
var img = document.querySelector('img[data-picture="' + info.file + '"]');
var q = info.panels[bm.data.activations.indexOf('selu')];
var r = img.getBoundingClientRect(), scale = r.width / info.width;
img.dispatchEvent(new MouseEvent('mousemove', {{ bubbles: true,
  clientX: r.left + (q.left + ({ix} + 0.5) * info.cell_width) * scale,
  clientY: r.top + (q.top + (info.ny - 1 - {iy} + 0.5) * info.cell_height) * scale }}));
window.probe.push('PICTURETIP ' + Array.prototype.map.call(tip.children, function (e) {{ return e.textContent; }}).join(' | '));
window.probe.push('ERRORS ' + JSON.stringify(window.pageErrors));
window.probe.push('RESOURCES ' + performance.getEntriesByType('resource').map(function (e) {{ return e.name; }}).join(' '));
"#
    );
    let lines = probe_page(dir, (1280, 1600), WATCH_ERRORS, &script);
    assert_eq!(value_after(&lines, "READY "), "ready", "{lines:#?}");
    assert!(
        !lines.iter().any(|l| l.starts_with("EXCEPTION")),
        "{lines:#?}"
    );

    // Hover: the start, and the run's label, settled parameters and losses.
    let selu = record(&records, Activation::Selu, c, d);
    let o = &selu.outcome;
    let tip = value_after(&lines, "TIP ");
    assert_eq!(value_after(&lines, "TIPVISIBLE "), "true");
    assert_close(number_after(tip, "c₀="), c, "hovered c₀");
    assert_close(number_after(tip, "d₀="), d, "hovered d₀");
    assert!(
        tip.contains(&format!("selu: {}", o.label.name())),
        "label in {tip}"
    );
    for (k, name) in ["a=", "b=", "c=", "d="].iter().enumerate() {
        assert_close(number_after(tip, &format!(" {name}")), o.params[k], name);
    }
    assert_close(number_after(tip, "train loss "), o.train_loss, "train loss");
    assert_close(number_after(tip, "eval loss "), o.eval_loss, "eval loss");
    assert_close(number_after(tip, "mean loss "), o.mean_loss, "mean loss");
    assert_eq!(
        number_after(tip, "settled (step "),
        f64::from(o.settled_step)
    );

    // Click: one row per activation with its run, the chosen one marked.
    let pinned = value_after(&lines, "PINNED ");
    assert_close(number_after(pinned, "c₀="), c, "pinned c₀");
    for activation in &spec.activations {
        let row = value_after(&lines, &format!("ROW {activation} "));
        let run = record(&records, *activation, c, d);
        let (chosen, cells) = row.split_once(' ').unwrap();
        assert_eq!(chosen == "true", *activation == Activation::Selu);
        let cells: Vec<&str> = cells.split('|').collect();
        assert_eq!(cells[0], activation.name());
        assert_eq!(cells[1], run.label().name());
        for k in 0..4 {
            assert_close(page_number(cells[2 + k]), run.outcome.params[k], "settled");
        }
        assert_close(page_number(cells[6]), run.outcome.train_loss, "train loss");
        assert_close(page_number(cells[7]), run.outcome.eval_loss, "eval loss");
        assert_close(page_number(cells[8]), run.outcome.mean_loss, "mean loss");
        match run.outcome.converged_at {
            Some(step) => assert_eq!(cells[9], step.to_string()),
            None => assert_eq!(cells[9], "–"),
        }
        assert_eq!(cells[10], run.outcome.settled_step.to_string());
    }
    // The learned functions: one curve per activation over relu, and a kink
    // mark exactly for the piecewise ones whose kink lies in the data.
    let curves: Vec<&str> = value_after(&lines, "CURVES ").split(' ').collect();
    assert_eq!(curves.len(), 3, "{curves:?}");
    assert_eq!(value_after(&lines, "TARGET "), "1");
    let kinks = value_after(&lines, "KINKS ");
    for activation in [Activation::Relu, Activation::Selu] {
        let [a, b, ..] = record(&records, activation, c, d).outcome.params;
        let inside = a != 0.0 && (-b / a).abs() <= 0.5;
        assert_eq!(
            kinks.split(' ').any(|k| k == activation.name()),
            inside,
            "{activation} kink at {} (kinks drawn: {kinks})",
            -b / a
        );
    }
    assert!(!kinks.contains("softplus"), "softplus has no kink");

    // The command reruns the run: same settled parameters and label.
    let command = value_after(&lines, "COMMAND ");
    let args: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(&args[..2], ["basinmap", "train"], "{command}");
    let output = Command::new(env!("CARGO_BIN_EXE_basinmap"))
        .args(&args[1..])
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for (k, name) in ["a", "b", "c", "d"].iter().enumerate() {
        assert_eq!(
            json["settled"][name].as_f64().unwrap(),
            o.params[k],
            "{command}: settled {name}"
        );
    }
    assert_eq!(json["label"].as_str().unwrap(), o.label.name());

    // Keyboard: Left then Enter pins the start to the left.
    assert_eq!(value_after(&lines, "KEYPIN "), format!("{} {iy}", ix - 1));
    // The picture's tip is the explorer's.
    assert_eq!(value_after(&lines, "PICTURETIP "), tip);
    // Nothing failed, nothing came from the network.
    assert_eq!(value_after(&lines, "ERRORS "), "[]");
    for resource in value_after(&lines, "RESOURCES ").split_whitespace() {
        assert!(resource.starts_with("file://"), "loaded {resource}");
    }
}

#[test]
fn the_page_computes_every_activation_as_the_rust_reference_does() {
    if !have_chromium() {
        return;
    }
    let tmp = temp_dir("page-activations");
    let dir = tmp.path();
    let spec = spec(PAGE_SPEC);
    render_page(dir, PAGE_SPEC, &synthetic_records(&spec));
    // Dense over where the data's a·x + b lands, out to the tails, with
    // the extremes.
    let mut points: Vec<f64> = (-400..=400).map(|i| f64::from(i) * 0.025).collect();
    points.extend((-60..=60).map(|i| f64::from(i) * 0.5));
    points.extend([
        -1e3, -745.0, -100.0, -37.5, -1e-8, -1e-300, 0.0, 1e-300, 1e-8, 37.5, 100.0, 1e3,
    ]);
    let list = points
        .iter()
        .map(|z| format!("{z:e}"))
        .collect::<Vec<_>>()
        .join(",");
    let script = format!(
        "var zs = [{list}];\n\
         Object.keys(window.basinmap.activations).forEach(function (name) {{\n\
           zs.forEach(function (z, i) {{ window.probe.push('ACT ' + name + ' ' + i + ' ' + window.basinmap.activations[name](z)); }});\n\
         }});"
    );
    let lines = probe_page(dir, (1280, 900), WATCH_ERRORS, &script);
    let mut checked = 0;
    let mut names = Vec::new();
    for line in lines.iter().filter_map(|l| l.strip_prefix("ACT ")) {
        let mut parts = line.split(' ');
        let name = parts.next().unwrap();
        let i: usize = parts.next().unwrap().parse().unwrap();
        let page: f64 = parts.next().unwrap().parse().unwrap();
        let activation: Activation = name.parse().unwrap();
        let z = points[i];
        let rust = activation.reference(z).0;
        assert!(
            (page - rust).abs() <= 1e-6 * rust.abs() + 1e-300,
            "{name}({z:e}): page {page:e}, Rust {rust:e}"
        );
        if !names.contains(&name) {
            names.push(name);
        }
        checked += 1;
    }
    assert_eq!(
        names.len(),
        Activation::ALL.len(),
        "every activation: {names:?}"
    );
    assert_eq!(checked, points.len() * Activation::ALL.len());
}

#[test]
fn the_page_fits_a_phone_without_sideways_scroll() {
    if !have_chromium() {
        return;
    }
    let text = r#"
name = "a-sweep-with-a-rather-long-name-that-must-wrap-on-a-phone"
activations = ["relu", "elu", "selu", "softplus"]
[grid]
a = 1.0
b = 0.5
c = { from = -2.0, to = 2.0, points = 33 }
d = { from = -2.0, to = 2.0, points = 33 }
[train]
steps = 300
lr = [0.1, 0.3]
"#;
    let tmp = temp_dir("page-phone");
    let dir = tmp.path();
    let spec = spec(text);
    render_page(dir, text, &synthetic_records(&spec));
    for width in [360, 420, 1400] {
        let lines = probe_page(
            dir,
            (width, 900),
            WATCH_ERRORS,
            "window.probe.push('WIDTH ' + document.documentElement.scrollWidth + ' ' + window.innerWidth);\n\
             window.probe.push('CANVAS ' + window.basinmap.canvases().map(function (c) { return c.getBoundingClientRect().right <= window.innerWidth; }).every(Boolean));\n\
             window.probe.push('ERRORS ' + JSON.stringify(window.pageErrors));",
        );
        let (scroll, viewport) = value_after(&lines, "WIDTH ").split_once(' ').unwrap();
        let (scroll, viewport): (u32, u32) = (scroll.parse().unwrap(), viewport.parse().unwrap());
        assert_eq!(viewport, width, "the window is {width} px wide");
        assert!(
            scroll <= viewport,
            "at {width} px the page is {scroll} px wide"
        );
        assert_eq!(value_after(&lines, "CANVAS "), "true");
        assert_eq!(value_after(&lines, "ERRORS "), "[]");
    }
}

#[test]
fn any_pair_compares_in_the_page_and_every_panel_zooms_together() {
    if !have_chromium() {
        return;
    }
    let tmp = temp_dir("page-compare");
    let dir = tmp.path();
    let spec = spec(PAGE_SPEC);
    let records = real_records(&spec);
    render_page(dir, PAGE_SPEC, &records);
    let script = r#"
var bm = window.basinmap;
var title = function () { return document.querySelector('#x-panels .compare .xtitle').textContent; };
window.probe.push('DEFAULT ' + title());
var first = document.getElementById('x-first'), second = document.getElementById('x-second');
first.value = '0:0'; first.dispatchEvent(new Event('change'));
second.value = '0:2'; second.dispatchEvent(new Event('change'));
window.probe.push('CHOSEN ' + title());
window.probe.push('LEGEND ' + document.getElementById('x-pair-legend').textContent);
bm.zoom(0.5, 0.25, 0.25);
var offsets = bm.canvases().slice(1).map(function (c, k) {
  var at = bm.cellCenter(k + 1, 1, 1), r = c.getBoundingClientRect();
  return Math.round(at.x - r.left) + ',' + Math.round(at.y - r.top);
});
window.probe.push('VIEW ' + (bm.state.view.u1 - bm.state.view.u0));
window.probe.push('OFFSETS ' + offsets.join(' '));
window.probe.push('ERRORS ' + JSON.stringify(window.pageErrors));
"#;
    let lines = probe_page(dir, (1280, 1600), WATCH_ERRORS, script);
    let count = |first: Activation, second: Activation, outcome: PairOutcome| {
        records
            .iter()
            .filter(|r| r.activation == first)
            .filter(|r| {
                let other = record(&records, second, r.start[2], r.start[3]);
                PairOutcome::of(
                    r.label() == Label::Converged,
                    other.label() == Label::Converged,
                ) == outcome
            })
            .count()
    };
    let expect = |first: Activation, second: Activation| {
        format!(
            "{first} vs {second}: only {second} converges from {} of {}",
            count(first, second, PairOutcome::OnlySecond),
            records.iter().filter(|r| r.activation == first).count()
        )
    };
    let default = value_after(&lines, "DEFAULT ");
    assert!(
        default.starts_with(&expect(Activation::Selu, Activation::Softplus)),
        "{default}"
    );
    let chosen = value_after(&lines, "CHOSEN ");
    assert!(
        chosen.starts_with(&expect(Activation::Relu, Activation::Softplus)),
        "{chosen}"
    );
    // The legend lists only the outcomes that occur.
    let legend = value_after(&lines, "LEGEND ");
    for outcome in PairOutcome::ALL {
        let n = count(Activation::Relu, Activation::Softplus, outcome);
        let words = outcome.describe("relu", "softplus");
        assert_eq!(legend.contains(&words), n > 0, "{words} ({n}) in {legend}");
    }
    // Zoomed in 2×, every activation panel shows the same cell at the same
    // place.
    assert_eq!(value_after(&lines, "VIEW "), "0.5");
    let offsets: Vec<&str> = value_after(&lines, "OFFSETS ").split(' ').collect();
    assert_eq!(offsets.len(), 3);
    assert!(offsets.iter().all(|o| *o == offsets[0]), "{offsets:?}");
    assert_eq!(value_after(&lines, "ERRORS "), "[]");
}

#[test]
fn beyond_the_budget_hover_shows_the_label_only_and_says_why() {
    if !have_chromium() {
        return;
    }
    // 160 × 160 starts × 4 activations = 102 400 runs on the map.
    let text = r#"
name = "over-budget"
activations = ["relu", "elu", "selu", "softplus"]
[grid]
a = 1.0
b = 0.5
c = { from = -2.0, to = 2.0, points = 160 }
d = { from = -2.0, to = 2.0, points = 160 }
"#;
    let tmp = temp_dir("page-budget");
    let dir = tmp.path();
    let spec = spec(text);
    const { assert!(160 * 160 * 4 > DETAIL_BUDGET) };
    let records = synthetic_records(&spec);
    render_page(dir, text, &records);
    let page = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(page.contains("Hover shows the label only"));
    // Labels only: about one byte per run.
    assert!(page.len() < 400_000, "page of {} bytes", page.len());
    let script = r#"
var bm = window.basinmap, c = bm.canvases()[1];
var at = bm.cellCenter(1, 10, 10);
var options = { clientX: at.x, clientY: at.y, bubbles: true, pointerId: 1, button: 0 };
c.dispatchEvent(new PointerEvent('pointermove', options));
window.probe.push('TIP ' + document.getElementById('x-tip').textContent);
c.dispatchEvent(new PointerEvent('pointerdown', options));
c.dispatchEvent(new PointerEvent('pointerup', options));
window.probe.push('NOTE ' + document.getElementById('x-function-note').textContent);
window.probe.push('COMMAND ' + document.getElementById('x-command').textContent);
window.probe.push('ERRORS ' + JSON.stringify(window.pageErrors));
"#;
    let lines = probe_page(dir, (1280, 1600), WATCH_ERRORS, script);
    let tip = value_after(&lines, "TIP ");
    let c = spec.grid.c.values()[10];
    let label = records
        .iter()
        .find(|r| {
            r.activation == Activation::Relu
                && r.start[2] == c
                && r.start[3] == spec.grid.d.values()[10]
        })
        .unwrap()
        .label();
    assert!(tip.contains(&format!("relu: {}", label.name())), "{tip}");
    assert!(tip.contains("details not embedded"), "{tip}");
    assert!(value_after(&lines, "COMMAND ").starts_with("basinmap train --spec "));
    assert!(value_after(&lines, "NOTE ").contains("not drawn"));
    assert_eq!(value_after(&lines, "ERRORS "), "[]");
}
