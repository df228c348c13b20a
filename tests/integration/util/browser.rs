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
        assert_eq!(
            (*w, *h),
            (p.layout.width, p.layout.height),
            "{} did not load",
            p.file
        );
    }
}
