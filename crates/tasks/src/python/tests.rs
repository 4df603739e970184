//! `dependencies` installed with the `packageManager` a task names.
//!
//! Kestra: kestra-io/plugin-scripts
//! plugin-script-python/src/main/java/io/kestra/plugin/scripts/python/internals/PackageManagerType.java
//! (UV, the default, and PIP) and .../internals/PythonBasedPlugin.java (uvAutoInstallEnabled).

use super::*;

fn task(props: &str) -> Task {
    let flow =
        format!("id: f\nnamespace: dev\ntasks:\n  - id: t\n    type: python.Script\n    script: print(1)\n{props}");
    let checked = crate::check_flow(&flow);
    checked
        .flow
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics))
        .tasks
        .remove(0)
}

#[test]
fn pip_installs_with_pip() {
    let t = task("    packageManager: PIP\n    dependencies: [requests, 'pandas>=2']\n");
    assert_eq!(PackageManager::of(&t), PackageManager::Pip);
    assert_eq!(
        install_line(&t, "python3").as_deref(),
        Some("python3 -m pip install --quiet requests 'pandas>=2'")
    );
}

#[test]
fn uv_is_the_default_and_falls_back_to_pip() {
    let t = task("    dependencies: [requests]\n");
    assert_eq!(PackageManager::of(&t), PackageManager::Uv);
    let line = install_line(&t, "python").unwrap();
    assert_eq!(
        line,
        "if command -v uv >/dev/null 2>&1; then uv pip install --quiet --python \"$(command -v python)\" requests; else python -m pip install --quiet requests; fi"
    );
    assert_eq!(
        install_line(
            &task("    packageManager: UV\n    dependencies: [requests]\n"),
            "python"
        )
        .unwrap(),
        line
    );
}

#[test]
fn uv_without_auto_install_fails_when_uv_is_missing() {
    let t = task("    packageManager: UV\n    uvAutoInstallEnabled: false\n    dependencies: [requests]\n");
    let line = install_line(&t, "python").unwrap();
    assert!(line.starts_with("if command -v uv"), "{line}");
    assert!(line.contains("exit 1"), "{line}");
    assert!(!line.contains("pip install --quiet requests; fi"), "{line}");
}

#[test]
fn no_dependencies_no_line() {
    assert_eq!(install_line(&task("    packageManager: PIP\n"), "python"), None);
    assert_eq!(install_line(&task("    dependencies: []\n"), "python"), None);
}
