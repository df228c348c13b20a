//! `basinmap open`: hands a file to the desktop's default viewer.

use anyhow::Result;
use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};

/// The command that opens `path` on this kind of system, if one applies:
/// `open` on macOS, `cmd /C start` on Windows, `xdg-open` elsewhere when a
/// desktop session is there (without one, xdg-open may start a text browser
/// in the terminal or wait on nothing).
pub(crate) fn viewer_command(
    path: &Path,
    os: &str,
    has_display: bool,
    on_path: impl Fn(&str) -> bool,
) -> Option<(String, Vec<OsString>)> {
    let file: OsString = path.as_os_str().to_owned();
    match os {
        "macos" => on_path("open").then(|| ("open".to_string(), vec![file])),
        "windows" => Some((
            "cmd".to_string(),
            vec!["/C".into(), "start".into(), "".into(), file],
        )),
        _ => (has_display && on_path("xdg-open")).then(|| ("xdg-open".to_string(), vec![file])),
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Opens `path` in the default viewer; when there is none (no desktop, no
/// opener, or it fails), prints the path to open by hand and still succeeds.
pub(crate) fn open_in_viewer(path: &Path) -> Result<()> {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()));
    let opened = viewer_command(&path, std::env::consts::OS, has_display, on_path).is_some_and(
        |(program, args)| {
            Command::new(&program)
                .args(&args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        },
    );
    if opened {
        println!("opened {}", path.display());
    } else {
        println!(
            "no desktop viewer found; open this file in a browser: {}",
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_opener_of_each_system() {
        let p = Path::new("/r/index.html");
        let yes = |_: &str| true;
        let no = |_: &str| false;
        assert_eq!(viewer_command(p, "linux", true, yes).unwrap().0, "xdg-open");
        assert!(viewer_command(p, "linux", false, yes).is_none());
        assert!(viewer_command(p, "linux", true, no).is_none());
        assert_eq!(viewer_command(p, "macos", false, yes).unwrap().0, "open");
        let (cmd, args) = viewer_command(p, "windows", false, no).unwrap();
        assert_eq!(cmd, "cmd");
        assert_eq!(args[1], "start");
    }
}
