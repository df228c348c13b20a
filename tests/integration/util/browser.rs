//! Headless Chromium, found on `PATH`, for tests of the page as a browser
//! sees it.

use basinmap::render::RenderReport;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium on `PATH` (`chromium`, or `chromium-browser` as some
/// distributions name it), if installed.
pub fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Whether Chromium is here to run a browser test (see `util::available`).
pub fn have_chromium() -> bool {
    super::available("chromium", find_chromium().is_some())
}

/// Runs headless Chromium with the flags these machines need; `None` when
/// it does not finish within a minute.
pub fn chromium(args: &[&str]) -> Option<std::process::Output> {
    let profile = tempfile::Builder::new()
        .prefix("basinmap-chromium-")
        .tempdir()
        .ok()?;
    let mut child = Command::new(find_chromium()?)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut std::io::BufReader::new(stdout), &mut out).ok();
        out
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().ok()? {
            let stdout = reader.join().ok()?;
            return Some(std::process::Output {
                status,
                stdout,
                stderr: Vec::new(),
            });
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Writes every `<img>`'s natural size into the DOM once the page has loaded.
const IMAGE_PROBE: &str = r#"<script>
window.addEventListener('load', function () {
  var out = document.createElement('pre');
  out.id = 'image-probe';
  out.textContent = Array.prototype.map.call(document.images, function (img) {
    return 'IMG ' + img.getAttribute('src') + ' ' + img.naturalWidth + ' ' + img.naturalHeight;
  }).join('\n');
  document.body.appendChild(out);
});
</script>"#;

/// Opens `dir/index.html` (a copy with the probe script) in Chromium and
/// returns the DOM it parsed and each image's (src, naturalWidth,
/// naturalHeight).
pub fn load_in_browser(dir: &Path) -> (String, Vec<(String, u32, u32)>) {
    let page = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let probe = dir.join("probe.html");
    std::fs::write(
        &probe,
        page.replace("</body>", &format!("{IMAGE_PROBE}\n</body>")),
    )
    .unwrap();
    let url = format!("file://{}", probe.display());
    let Some(output) = chromium(&["--virtual-time-budget=10000", "--dump-dom", &url]) else {
        panic!("chromium --dump-dom did not finish within a minute");
    };
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "chromium failed: {dom}");
    let marker = "id=\"image-probe\">";
    let start = dom.find(marker).expect("the probe ran") + marker.len();
    let end = start + dom[start..].find("</pre>").expect("probe end");
    let loaded = dom[start..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("IMG "))
        .map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            (
                parts[0].to_string(),
                parts[1].parse().unwrap(),
                parts[2].parse().unwrap(),
            )
        })
        .collect();
    (dom, loaded)
}

/// Every picture of `report` is on the page and loaded: its natural size is
/// its layout size times its pixel ratio (a PNG holds 2 device pixels per
/// layout pixel).
pub fn assert_all_loaded(report: &RenderReport, loaded: &[(String, u32, u32)]) {
    assert_eq!(
        loaded.len(),
        report.pictures.len(),
        "images on the page: {loaded:?}"
    );
    for p in &report.pictures {
        let (_, w, h) = loaded
            .iter()
            .find(|(src, _, _)| *src == p.file)
            .unwrap_or_else(|| panic!("{} is not on the page", p.file));
        let ratio = p.layout.pixel_ratio;
        assert_eq!(
            (*w, *h),
            (p.layout.width * ratio, p.layout.height * ratio),
            "{} did not load",
            p.file
        );
    }
}

/// Opens `dir/index.html` in Chromium in a frame of `width` × `height` CSS
/// pixels (a frame, because a headless window is never narrower than 500
/// px), with `head_script` run before anything else and `body_script` once
/// the page has loaded; `body_script` writes its findings into
/// `window.probe` (a list of lines), which this returns.
pub fn probe_page(
    dir: &Path,
    (width, height): (u32, u32),
    head_script: &str,
    body_script: &str,
) -> Vec<String> {
    let page = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let head = format!("<head>\n<script>window.probe = [];\n{head_script}\n</script>");
    let body = format!(
        "<script>\nwindow.addEventListener('load', function () {{\n\
         try {{\n{body_script}\n}} catch (e) {{ window.probe.push('EXCEPTION ' + e + ' ' + e.stack); }}\n}});\n</script>\n</body>"
    );
    assert!(page.contains("<head>") && page.contains("</body>"));
    let inner = page.replacen("<head>", &head, 1).replace("</body>", &body);
    // The frame's document has the outer page's base URL, so the pictures
    // load as they would; `</` is escaped so the string cannot close the
    // script that holds it.
    let literal = serde_json::to_string(&inner).unwrap().replace("</", "<\\/");
    let outer = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">\n\
         <iframe id=\"frame\" width=\"{width}\" height=\"{height}\" style=\"border:0; display:block\"></iframe>\n\
         <script>\nvar frame = document.getElementById('frame');\n\
         frame.addEventListener('load', function () {{\n\
           var out = document.createElement('pre'); out.id = 'probe-out';\n\
           var lines = frame.contentWindow.probe || ['EXCEPTION the page did not load'];\n\
           out.textContent = lines.join('\\n'); document.body.appendChild(out);\n\
         }});\nframe.srcdoc = {literal};\n</script></body></html>"
    );
    let probe = dir.join("probe.html");
    std::fs::write(&probe, outer).unwrap();
    let url = format!("file://{}", probe.display());
    let size = format!("--window-size={},{}", width.max(500) + 40, height + 200);
    let Some(output) = chromium(&[
        &size,
        "--hide-scrollbars",
        "--virtual-time-budget=10000",
        "--dump-dom",
        &url,
    ]) else {
        panic!("chromium --dump-dom did not finish within a minute");
    };
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "chromium failed: {dom}");
    let marker = "id=\"probe-out\">";
    let start = dom.find(marker).expect("the probe ran") + marker.len();
    let end = start + dom[start..].find("</pre>").expect("probe end");
    dom[start..end]
        .lines()
        .map(|l| {
            l.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
        })
        .collect()
}
