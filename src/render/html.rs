//! `index.html`: one self-contained page (inline CSS, no scripts, no fonts,
//! nothing from the network) with every picture and its caption, the summary
//! table, the spec and links to the runs tables.

use super::heatmap::format_value;
use super::palette::{NOT_RUN, PairOutcome, hex, label_color};
use super::tally::{Tally, VariantTally};
use super::{Picture, PictureKind, RenderOptions};
use crate::classify::{ClassifyConfig, Label};
use crate::spec::SweepSpec;
use crate::stats::Fraction;
use anyhow::{Context, Result};
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

const STYLE: &str = "
body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; color: #222; margin: 24px auto; max-width: 1500px; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
.lead { font-size: 1.05em; max-width: 60em; }
.headline { font-size: 1.1em; background: #fff4e0; border-left: 4px solid #d55e00; padding: 8px 12px; max-width: 60em; }
figure { margin: 1.2em 0 2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { max-width: 60em; margin-top: 0.4em; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #bbb; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f3f3f3; }
.sw { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #333; vertical-align: -0.1em; margin-right: 0.35em; }
dl.labels dt { font-weight: bold; margin-top: 0.4em; }
dl.labels dd { margin-left: 1.6em; }
pre { background: #f6f6f6; padding: 10px; overflow-x: auto; }
nav a { margin-right: 1em; }
";

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
) -> Result<PathBuf> {
    let page = page(dir, spec, tally, training, pictures);
    let path = dir.join("index.html");
    std::fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

fn page(
    dir: &Path,
    spec: &SweepSpec,
    tally: &Tally,
    training: &str,
    pictures: &[Picture],
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
         <title>basinmap: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    let _ = writeln!(h, "<h1>basinmap: {name}</h1>");
    let _ = writeln!(
        h,
        "<p class=\"lead\">Where does gradient descent fit <code>relu(x)</code> on [-0.5, 0.5] with \
         <code>g(x) = c·f(a·x + b) + d</code>, and where does it get stuck? {} Each panel is one activation f. \
         The classic claim under test: SELU does not escape \
         the \"all positive\" linear regime, Softplus does. Training{}: {}.</p>",
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
    headline(&mut h, tally, options);
    let _ = writeln!(
        h,
        "<nav><a href=\"#summary\">Summary</a>{}<a href=\"#spec\">Spec</a><a href=\"#data\">Data</a></nav>",
        sections(pictures)
            .iter()
            .map(|k| format!("<a href=\"#{}\">{}</a>", anchor(*k), k.heading()))
            .collect::<String>()
    );
    let _ = writeln!(h, "<h2>What the colors mean</h2>\n<dl class=\"labels\">");
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
    for kind in sections(pictures) {
        let _ = writeln!(h, "<h2 id=\"{}\">{}</h2>", anchor(kind), kind.heading());
        if let Some(intro) = section_intro(kind, &spec.classify) {
            let _ = writeln!(h, "<p>{}</p>", escape(&intro));
        }
        for p in pictures.iter().filter(|p| p.kind == kind) {
            let _ = writeln!(
                h,
                "<figure id=\"{id}\"><img src=\"{src}\" width=\"{w}\" height=\"{hh}\" alt=\"{alt}\">\
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
        "<p><small>Drawn by basinmap {}.</small></p>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    h
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

/// The picture kinds present, in page order.
fn sections(pictures: &[Picture]) -> Vec<PictureKind> {
    let mut kinds: Vec<PictureKind> = Vec::new();
    for p in pictures {
        if !kinds.contains(&p.kind) {
            kinds.push(p.kind);
        }
    }
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
fn headline(h: &mut String, tally: &Tally, options: &RenderOptions) {
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
         {second} converges from <strong>{n}</strong> of {of} {unit} run with both{by_variant}; the reverse \
         ({first} converges, {second} fails) from {rev}.</p>",
        n = all.get(PairOutcome::OnlySecond),
        of = all.total(),
        rev = all.get(PairOutcome::OnlyFirst),
    );
}

/// The runs per activation and label, and the converged fraction with its
/// 95% interval; with several training variants, one block of rows per
/// variant (`data-variant` on its rows and cells).
fn summary_table(h: &mut String, tally: &Tally) {
    let _ = writeln!(
        h,
        "<h2 id=\"summary\">Summary</h2>\n<p>Runs per {}activation and label{}. The last column gives the share \
         that converged with its 95% confidence interval (Wilson score).</p>\n\
         <table id=\"summary-table\">\n<thead><tr><th>activation</th>",
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
        let _ = writeln!(h, "</tbody></table>");
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
    let _ = writeln!(h, "</table>");
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
