//! The AIO component template (`templates/aio-counter`) never rots: a copy
//! in a temporary folder, renamed as its README says, is built and tested
//! against this workspace's `dash-core`.
//!
//! The copy builds in `$CARGO_TARGET_DIR/template-check` (default
//! `~/.cache/dash-rs/target/template-check`), so later runs reuse it; its
//! renamed copy (`…/template-check/aio-renamed-widget`) and its demo binary
//! (`…/template-check/debug/examples/demo`) are what the browser suite's
//! last step runs: the copy's own browser test.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

/// Copies `from` into `to`, renaming the crate in every file.
fn copy_renamed(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let name = entry.file_name();
        let target = to.join(&name);
        if path.is_dir() {
            copy_renamed(&path, &target);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text
            .replace("aio-counter", "aio-renamed-widget")
            .replace("aio_counter", "aio_renamed_widget")
            .replace("CounterAio", "RenamedWidgetAio");
        std::fs::write(target, text).unwrap();
    }
}

fn target_dir() -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home =
                std::env::var_os("HOME").map_or_else(|| repo().join("target"), PathBuf::from);
            home.join(".cache/dash-rs/target")
        });
    base.join("template-check")
}

#[test]
fn a_renamed_copy_of_the_template_builds_and_passes_its_tests() {
    let repo = repo();
    // Kept after the test: the browser suite runs the copy's own browser
    // test against its demo.
    let dir = target_dir().join("aio-renamed-widget");
    let _ = std::fs::remove_dir_all(&dir);
    copy_renamed(&repo.join("templates/aio-counter"), &dir);
    // Against this workspace's dash-core (a published crate names the version only).
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let core = repo.join("dash-core");
    let patched = text.replace(
        r#"dash-core = { version = "0.1" }"#,
        &format!(
            r#"dash-core = {{ version = "0.1", path = {:?} }}"#,
            core.display().to_string()
        ),
    );
    assert_ne!(patched, text, "the template names dash-core as expected");
    std::fs::write(&manifest, patched).unwrap();
    // The workspace's versions of the shared dependencies.
    std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    assert!(
        std::fs::read_to_string(dir.join("src/lib.rs"))
            .unwrap()
            .contains("RenamedWidgetAio")
    );

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(&cargo)
        .args(["test", "--all-targets"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "cargo test of the renamed template failed:\n{stdout}\n{stderr}"
    );
    // Its unit tests and its protocol test ran and passed.
    assert!(stdout.contains("ids_name_the_component ... ok"), "{stdout}");
    assert!(
        stdout.contains("a_press_adds_the_step_up_to_the_apps_limit ... ok"),
        "{stdout}"
    );
    // The demo binary the browser suite runs.
    let built = Command::new(&cargo)
        .args(["build", "--example", "demo"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTFLAGS")
        .status()
        .expect("cargo runs");
    assert!(built.success(), "cargo build --example demo failed");
    assert!(
        target_dir().join("debug/examples/demo").exists(),
        "the demo example was built"
    );
}
