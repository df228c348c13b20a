//! `index.html`: one self-contained page (inline CSS and script, no fonts,
//! nothing from the network), answer first: the headline, the explorer
//! (`explorer.rs`, `explorer.js`), every picture and its caption, then the
//! glossary, the summary table, the spec and links to the runs tables.

use super::explorer::ExplorerData;
use super::heatmap::format_value;
use super::palette::{NOT_RUN, PairOutcome, hex, label_color};
use super::tally::{Tally, VariantTally};
use super::{Picture, PictureKind, RenderOptions};
use crate::boundary::planes::PlaneBoundary;
use crate::classify::{ClassifyConfig, Label};
use crate::spec::SweepSpec;
use crate::spec::ZoomOrigin;
use crate::stats::Fraction;
use anyhow::Result;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = include_str!("page.css");

/// The explorer: drawn from the embedded data by this script, in the page
/// itself (no network, no library).
const EXPLORER_SCRIPT: &str = include_str!("explorer.js");

/// Nothing may load from anywhere but the page's own directory.
const CONTENT_POLICY: &str = "default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; \
                              script-src 'unsafe-inline'";

fn swatch(color: plotters::style::RGBColor) -> String {
    format!(
        "<span class=\"sw\" style=\"background:{}\"></span>",
        hex(color)
    )
}

/// What the classifier tests for each label, in the reader's words, with
/// the sweep's thresholds. Every label but `diverged` is read from the run's
/// settled parameters, evaluated on 1001 points of [-0.5, 0.5].
fn label_meaning(label: Label, cfg: &ClassifyConfig) -> String {
    let v = format_value;
    match label {
        Label::Converged => format!(
            "g fits relu: its mean distance from relu is below {}.",
            v(cfg.converged_loss)
        ),
        Label::StuckLinear => format!(
            "not converged, and g is a straight line to within {}% of its range (mean distance from its \
             least-squares line), so it cannot bend into relu's kink.",
            v(100.0 * cfg.linear_deviation)
        ),
        Label::StuckDead => format!(
            "not converged, and g is constant: it varies by less than {} over [-0.5, 0.5].",
            v(cfg.dead_range)
        ),
        Label::Unconverged => "g bends, but is not (yet) close to relu.".to_string(),
        Label::Diverged => format!(
            "a final parameter or the final training loss is not finite, or a parameter exceeds {} in size.",
            v(cfg.diverged_magnitude)
        ),
    }
}

/// How the labels are read from a run, in one sentence.
fn settled_note(cfg: &ClassifyConfig) -> String {
    if cfg.window == 1 {
        "Labels are read from each run's final parameters.".to_string()
    } else {
        format!(
            "Labels are read from each run's settled parameters: of its last {} steps, the one with the lowest \
             training loss, so a run caught at its last step in one of Adam's short oscillation bursts is not \
             mislabelled.",
            cfg.window
        )
    }
}

/// The sentence that opens a section of maps.
fn section_intro(kind: PictureKind, cfg: &ClassifyConfig) -> Option<String> {
    match kind {
        PictureKind::Speed => Some(format!(
            "How fast each start trains: the step from which the training loss stays below {}, apart from \
             bursts shorter than {} steps; only converged runs are shaded.",
            format_value(cfg.converged_loss),
            cfg.window
        )),
        PictureKind::Loss => Some(
            "How well each start trains over the whole run: the mean training loss, shaded for every run \
             whatever its label, so the structure inside a basin and across its edges shows."
                .to_string(),
        ),
        _ => None,
    }
}

/// Writes `dir/index.html` and returns its path.
pub(crate) fn write_index(
    dir: &Path,
    spec: &SweepSpec,
    tally: &Tally,
    training: &str,
    pictures: &[Picture],
    explorer: Option<&ExplorerData>,
    extras: &[String],
) -> Result<PathBuf> {
    let page = page(dir, spec, tally, training, pictures, explorer, extras);
    let path = dir.join("index.html");
    crate::store::write_atomically(&path, page.as_bytes())?;
    Ok(path)
}

fn page(
    dir: &Path,
    spec: &SweepSpec,
    tally: &Tally,
    training: &str,
    pictures: &[Picture],
    explorer: Option<&ExplorerData>,
    extras: &[String],
) -> String {
    let options = &spec.render;
    let mut h = String::new();
    let name = escape(&spec.name);
    let total = tally.total();
    let done = tally.done();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_POLICY}\">\n\
         <title>basinmap: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    let _ = writeln!(h, "<h1>basinmap: {name}</h1>");
    let _ = writeln!(
        h,
        "<p class=\"lead\">Where does gradient descent fit <code>relu(x)</code> on [-0.5, 0.5] with \
         <code>g(x) = c·f(a·x + b) + d</code>, and where does it get stuck? The classic claim under test: SELU \
         does not escape the \"all positive\" linear regime, Softplus does.</p>"
    );
    headline(&mut h, tally, options, explorer);
    let done_note = if done < total {
        format!(
            " <strong>This sweep is not finished:</strong> cells not run yet are drawn {} light gray.",
            swatch(NOT_RUN)
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        h,
        "<p id=\"progress\" data-done=\"{done}\" data-total=\"{total}\">{done} of {total} runs done.{done_note}</p>"
    );
    match explorer {
        Some(data) => explorer_section(&mut h, data),
        None if spec.grid.sample.is_none() => {
            let _ = writeln!(
                h,
                "<p id=\"no-explorer\">The maps hold more than {} cells, too many to embed for exploring in \
                 the page; the pictures below are complete. <code>basinmap train</code> reruns any start.</p>",
                super::explorer::LABEL_BUDGET
            );
        }
        None => {}
    }
    let _ = writeln!(
        h,
        "<p class=\"lead\">{} Each panel is one activation f. Training{}: {}.</p>",
        match spec.grid.sample {
            None => "Each map cell is one starting point (a₀, b₀, c₀, d₀).".to_string(),
            Some(s) => format!(
                "The starts are {} random points of the box the spec spans; maps bin them.",
                s.n
            ),
        },
        if tally.faceted() {
            ", common to every setting below"
        } else {
            ""
        },
        escape(training)
    );
    variants_note(&mut h, spec, tally);
    let _ = writeln!(
        h,
        "<nav>{}<a href=\"#labels\">Colors</a><a href=\"#summary\">Summary</a><a href=\"#spec\">Spec</a><a href=\"#data\">Data</a></nav>",
        sections(pictures)
            .iter()
            .map(|k| format!("<a href=\"#{}\">{}</a>", anchor(*k), k.heading()))
            .collect::<String>()
    );
    for kind in sections(pictures) {
        let _ = writeln!(h, "<h2 id=\"{}\">{}</h2>", anchor(kind), kind.heading());
        if let Some(intro) = section_intro(kind, &spec.classify) {
            let _ = writeln!(h, "<p>{}</p>", escape(&intro));
        }
        for p in pictures.iter().filter(|p| p.kind == kind) {
            let _ = writeln!(
                h,
                "<figure id=\"{id}\"><img src=\"{src}\" data-picture=\"{src}\" width=\"{w}\" height=\"{hh}\" alt=\"{alt}\">\
                 <figcaption>{cap}</figcaption></figure>",
                id = escape(p.file.rsplit_once('.').map_or(&p.file[..], |(s, _)| s)),
                src = escape(&p.file),
                w = p.layout.width,
                hh = p.layout.height,
                alt = escape(&p.caption),
                cap = escape(&p.caption),
            );
        }
    }
    for extra in extras {
        h.push_str(extra);
    }
    let _ = writeln!(
        h,
        "<h2 id=\"labels\">What the colors mean</h2>\n<dl class=\"labels\">"
    );
    for label in Label::ALL {
        let _ = writeln!(
            h,
            "<dt>{}{}</dt><dd>{}</dd>",
            swatch(label_color(label)),
            label.name(),
            escape(&label_meaning(label, &spec.classify))
        );
    }
    let _ = writeln!(
        h,
        "<dt>{}not run yet</dt><dd>no finished run for this start yet.</dd></dl>",
        swatch(NOT_RUN)
    );
    let _ = writeln!(
        h,
        "<p>Markers: ○ the original discussion's start a=1, b=0.5, c=1, d=-0.5; ◇ the same with d=0 \
         (drawn wherever they lie in a plane). {}</p>",
        escape(&settled_note(&spec.classify))
    );
    summary_table(&mut h, tally);
    let toml_text =
        toml::to_string(spec).unwrap_or_else(|e| format!("# cannot show the spec: {e}"));
    let _ = writeln!(
        h,
        "<h2 id=\"spec\">Spec</h2>\n<pre>{}</pre>",
        escape(&toml_text)
    );
    data_links(&mut h, dir);
    let _ = writeln!(
        h,
        "<p><small>Drawn by basinmap {}.</small></p>",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(data) = explorer {
        let _ = writeln!(
            h,
            "<script type=\"application/json\" id=\"basinmap-data\">{}</script>\n<script>{EXPLORER_SCRIPT}</script>",
            data.to_embedded_json()
        );
    }
    let _ = writeln!(h, "</body>\n</html>");
    h
}

/// A zoom's link back to its parent, with the window marked on the
/// parent's outcome map (`picture`).
pub(crate) fn zoom_section(
    spec: &SweepSpec,
    origin: &ZoomOrigin,
    picture: &str,
    parent_page: &str,
) -> String {
    let at: Vec<String> = origin.at.iter().map(|v| v.to_string()).collect();
    format!(
        "<h2 id=\"zoom\">Zoomed from its parent</h2>\n<p>This sweep is a window of width {} around ({}) in the plane of \
         <a href=\"{href}\">its parent sweep</a>, with the parent's settings ({}). The window is marked on the parent's map:</p>\n\
         <figure><img src=\"{src}\" alt=\"the parent's outcome map with this window marked\" style=\"max-width:100%\"></figure>\n",
        origin.width,
        escape(&at.join(", ")),
        escape(&spec.name),
        href = escape(parent_page),
        src = escape(picture),
    )
}

/// The boundary metrics of every plane, as `basinmap boundary` prints them.
pub(crate) fn boundary_section(planes: &[PlaneBoundary], dir: &str) -> String {
    let mut h = String::from(
        "<h2 id=\"boundary\">Basin boundaries</h2>\n<p>Are the borders between outcomes smooth curves or fractal? \
         Per plane: the box-counting dimension of the boundary cells (cells with a neighbour of another label; 1 for a \
         smooth curve, more for a fractal one) with its standard error and the box sizes fitted; the basin entropy \
         S<sub>b</sub> and boundary basin entropy S<sub>bb</sub> over 5×5-cell boxes (S<sub>bb</sub> &gt; ln 2 is a \
         sufficient sign of a fractal boundary); and the share of the plane that is boundary, per refinement level.</p>\n\
         <div class=\"scroll\"><table class=\"boundary\"><thead><tr><th>activation</th><th>setting</th><th>replicate</th>\
         <th>dimension</th><th>fit (cells)</th><th>S<sub>b</sub></th><th>S<sub>bb</sub></th><th>boundary share by level</th></tr></thead><tbody>\n",
    );
    for p in planes {
        let cells = p.cells("–");
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&p.activation),
            escape(&p.variant),
            p.replicate,
            cells.dimension,
            cells.fit,
            cells.sb,
            cells.sbb,
            cells.shares
        );
    }
    let _ = writeln!(
        h,
        "</tbody></table></div>\n<p>A dimension needs a plane at least 257 cells across (refine it with [refine] levels). \
         <code>basinmap boundary {}</code> prints the same, and <code>--json</code> the box counts.</p>",
        escape(dir)
    );
    h
}

/// The explorer's controls and empty containers; `explorer.js` fills them.
fn explorer_section(h: &mut String, data: &ExplorerData) {
    let budget = if data.has_details() {
        String::new()
    } else {
        format!(
            " <strong>Hover shows the label only:</strong> the maps hold {} runs, more than the page embeds \
             details for ({}), so settled parameters, losses and learned functions are left out to keep the \
             page small. Click a start for the command that reruns it.",
            data.map_runs(),
            super::explorer::DETAIL_BUDGET
        )
    };
    let _ = writeln!(
        h,
        "<section id=\"explore\">\n<h2>Explore the maps</h2>\n\
         <p class=\"hint\">Hover a start to read its run; click (or Tab to a map, move with the arrow keys and press \
         Enter) to pin it and see what every activation learned from it. Wheel, pinch or +/− zoom all panels \
         together; drag or Shift+arrows pan; 0 resets.{budget}</p>\n\
         <div class=\"controls\">\
         <label>Shading <select id=\"x-map\"><option value=\"outcome\">how each run ended</option>\
         <option value=\"speed\">speed (converged_at)</option><option value=\"loss\">mean training loss</option></select></label>\
         <label>Plane <select id=\"x-plane\"></select></label>\
         <label>Setting <select id=\"x-variant\"></select></label>\
         <label>Compare <select id=\"x-first\"></select></label> <label>with <select id=\"x-second\"></select></label>\
         <button type=\"button\" id=\"x-reset\">Reset zoom</button></div>\n\
         <div id=\"x-pair-legend\" class=\"legend\"></div>\n\
         <div id=\"x-panels\" class=\"xgrid\"></div>\n\
         <div id=\"x-legend\" class=\"legend\"></div>\n\
         <div id=\"x-pinned\" hidden>\n<h3>Pinned start: <span id=\"x-pinned-start\"></span></h3>\n\
         <div class=\"fn\"><svg id=\"x-function\" viewBox=\"0 0 480 300\" role=\"img\" \
         aria-label=\"the learned functions g(x) at this start, over relu\"></svg>\
         <div><ul id=\"x-function-legend\"></ul><p id=\"x-function-note\"></p></div></div>\n\
         <div class=\"scroll\"><table id=\"x-runs-table\"><thead><tr><th>activation</th><th>label</th>\
         <th>a</th><th>b</th><th>c</th><th>d</th><th>train loss</th><th>eval loss</th><th>mean loss</th>\
         <th>converged at</th><th>settled step</th></tr></thead><tbody id=\"x-runs\"></tbody></table></div>\n\
         <p>Rerun the highlighted run (choose another by its name):</p><pre id=\"x-command\"></pre>\
         <button type=\"button\" id=\"x-copy\">Copy command</button> <span id=\"x-copied\" role=\"status\"></span>\n\
         </div>\n<div id=\"x-tip\" class=\"tip\" hidden role=\"tooltip\"></div>\n\
         <noscript><p>The explorer needs JavaScript; the pictures below do not.</p></noscript>\n</section>"
    );
}

fn anchor(kind: PictureKind) -> &'static str {
    match kind {
        PictureKind::Outcome => "outcome",
        PictureKind::Compare => "compare",
        PictureKind::Speed => "speed",
        PictureKind::Loss => "loss",
        PictureKind::Probability => "probability",
        PictureKind::Marginal => "marginal",
        PictureKind::Binned => "binned",
    }
}

/// The picture kinds present, in page order: the compare maps first, as
/// they answer the headline.
fn sections(pictures: &[Picture]) -> Vec<PictureKind> {
    let mut kinds: Vec<PictureKind> = Vec::new();
    for p in pictures {
        if !kinds.contains(&p.kind) {
            kinds.push(p.kind);
        }
    }
    kinds.sort_by_key(|k| *k != PictureKind::Compare);
    kinds
}

/// With several training variants: what varies, and how the maps show it.
fn variants_note(h: &mut String, spec: &SweepSpec, tally: &Tally) {
    if !tally.faceted() {
        return;
    }
    let _ = writeln!(
        h,
        "<p class=\"lead\" id=\"variants\">This sweep also varies the training ({keys}): {n} settings, \
         each run from every start. Every map below shows them together, one row (or, on compare maps, one \
         panel) per setting on shared axes and colors, so a basin can be followed from setting to setting:</p>\n<ul>",
        keys = escape(&spec.train.varying_keys().join(" / ")),
        n = tally.variants.len(),
    );
    for v in &tally.variants {
        let _ = writeln!(
            h,
            "<li data-variant=\"{}\"><code>{}</code></li>",
            escape(&v.describe),
            escape(&v.title)
        );
    }
    let _ = writeln!(h, "</ul>");
}

/// The compare pair's key number, above everything else; with several
/// training variants, also per variant.
fn headline(
    h: &mut String,
    tally: &Tally,
    options: &RenderOptions,
    explorer: Option<&ExplorerData>,
) {
    let (first, second) = options.compare;
    let Some(all) = tally.pair_total() else {
        let _ = writeln!(
            h,
            "<p class=\"headline\">No compare map: the sweep does not run both {first} and {second}.</p>"
        );
        return;
    };
    let unit = if tally.replicates > 1 {
        "start/seed pairs"
    } else {
        "starts"
    };
    let by_variant = if tally.faceted() {
        let parts: Vec<String> = tally
            .variants
            .iter()
            .filter_map(|v| Some((v, v.pair?)))
            .map(|(v, c)| {
                format!(
                    "<span data-variant=\"{}\" data-count=\"{n}\" data-of=\"{of}\">{}: {n} of {of}</span>",
                    escape(&v.describe),
                    escape(&v.title),
                    n = c.get(PairOutcome::OnlySecond),
                    of = c.total(),
                )
            })
            .collect();
        format!(" ({})", parts.join("; "))
    } else {
        String::new()
    };
    let _ = writeln!(
        h,
        "<p class=\"headline\" id=\"headline\" data-count=\"{n}\" data-of=\"{of}\">{first} fails and \
         {second} converges from <strong>{n}</strong> of {of} {unit} run with both ({share}){by_variant}{place}. \
         The reverse ({first} converges, {second} fails): {rev}.{next}</p>",
        n = all.get(PairOutcome::OnlySecond),
        of = all.total(),
        share = percent(all.get(PairOutcome::OnlySecond), all.total()),
        rev = all.get(PairOutcome::OnlyFirst),
        place = explorer
            .and_then(ExplorerData::pair_region)
            .map(|r| format!(", {}", escape(&r)))
            .unwrap_or_default(),
        next = if explorer.is_some() {
            " The maps below show where; one such start is pinned, with what each activation learned from it."
        } else {
            ""
        },
    );
}

fn percent(n: usize, of: usize) -> String {
    if of == 0 {
        "–".to_string()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / of as f64)
    }
}

/// The runs per activation and label, and the converged fraction with its
/// 95% interval; with several training variants, one block of rows per
/// variant (`data-variant` on its rows and cells).
fn summary_table(h: &mut String, tally: &Tally) {
    let _ = writeln!(
        h,
        "<h2 id=\"summary\">Summary</h2>\n<p>Runs per {}activation and label{}. The last column gives the share \
         that converged with its 95% confidence interval (Wilson score).</p>\n\
         <div class=\"scroll\"><table id=\"summary-table\">\n<thead><tr><th>activation</th>",
        if tally.faceted() {
            "training setting, "
        } else {
            ""
        },
        if tally.replicates > 1 {
            " (every start and replicate)"
        } else {
            ""
        }
    );
    for label in Label::ALL {
        let _ = write!(h, "<th>{}{}</th>", swatch(label_color(label)), label.name());
    }
    let _ = writeln!(
        h,
        "<th>{}not run</th><th>total</th><th>converged</th></tr></thead>",
        swatch(NOT_RUN)
    );
    if !tally.faceted() {
        let _ = writeln!(h, "<tbody>");
        summary_rows(h, &tally.variants[0], tally, "");
        let _ = writeln!(h, "</tbody></table></div>");
        return;
    }
    for v in &tally.variants {
        let variant = escape(&v.describe);
        let _ = writeln!(
            h,
            "<tbody data-variant=\"{variant}\">\n<tr class=\"variant\"><th colspan=\"{}\" style=\"background:#ececec; text-align:left; border-left:4px solid #222\">{}</th></tr>",
            Label::ALL.len() + 4,
            escape(&v.title)
        );
        summary_rows(h, v, tally, &format!(" data-variant=\"{variant}\""));
        let _ = writeln!(h, "</tbody>");
    }
    let _ = writeln!(h, "</table></div>");
}

/// One row per activation; `attr` is added to every row and count cell.
fn summary_rows(h: &mut String, variant: &VariantTally, tally: &Tally, attr: &str) {
    for (act, activation) in tally.activations.iter().enumerate() {
        let counts = variant.labels[act];
        let missing = variant.missing[act];
        let done: usize = counts.iter().sum();
        let _ = write!(
            h,
            "<tr{attr} data-activation=\"{activation}\"><td>{activation}</td>"
        );
        for (label, n) in Label::ALL.iter().zip(counts) {
            let _ = write!(
                h,
                "<td{attr} data-activation=\"{activation}\" data-label=\"{}\">{n}</td>",
                label.name()
            );
        }
        let share = if done == 0 {
            "–".to_string()
        } else {
            let f = Fraction::new(counts[0] as u64, done as u64);
            let (lo, hi) = f.wilson95();
            format!(
                "{:.1}% <small>[{:.1}, {:.1}]</small>",
                100.0 * f.value(),
                100.0 * lo,
                100.0 * hi
            )
        };
        let _ = writeln!(
            h,
            "<td{attr} data-activation=\"{activation}\" data-label=\"not-run\">{missing}</td><td>{}</td><td>{share}</td></tr>",
            done + missing
        );
    }
}

fn data_links(h: &mut String, dir: &Path) {
    let mut csvs: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.to_ascii_lowercase().ends_with(".csv"))
                .collect()
        })
        .unwrap_or_default();
    csvs.sort_by_key(|n| (n != "runs.csv", n.clone()));
    let _ = writeln!(h, "<h2 id=\"data\">Data</h2>");
    if csvs.is_empty() {
        let _ = writeln!(h, "<p>No runs table (.csv) in this directory yet.</p>");
        return;
    }
    let _ = writeln!(
        h,
        "<p>One row per run: start <code>a0,b0,c0,d0</code>, <code>activation</code>, <code>replicate</code>, \
         settled <code>a,b,c,d</code> with their <code>train_loss</code> and <code>eval_loss</code>, \
         <code>label</code>, <code>converged_at</code>, <code>settled_step</code>, <code>mean_loss</code>.</p>\n<ul>"
    );
    for name in csvs {
        let _ = writeln!(h, "<li><a href=\"{0}\">{0}</a></li>", escape(&name));
    }
    let _ = writeln!(h, "</ul>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
