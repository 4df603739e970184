//! Keeps ARCHITECTURE.md true: every crate's Sluice dependencies (from `cargo metadata`) are in
//! its row of the dependency map, every crate has a row, and no crate's modules import each
//! other in a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `| crate | may depend on |` rows of ARCHITECTURE.md.
fn allowed_map(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut map = BTreeMap::new();
    let section = text
        .split("## Dependency map")
        .nth(1)
        .expect("ARCHITECTURE.md has a `## Dependency map` section");
    for line in section.lines().take_while(|l| !l.starts_with("## ")) {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() != 2 || !cells[0].starts_with("sluice-") {
            continue;
        }
        let deps = cells[1]
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(String::from)
            .collect();
        map.insert(cells[0].to_owned(), deps);
    }
    map
}

/// Each workspace crate and its Sluice dependencies of kind normal or build.
fn actual_deps() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("cargo metadata answers JSON");
    let mut map = BTreeMap::new();
    for package in meta["packages"].as_array().expect("packages") {
        let name = package["name"].as_str().expect("name").to_owned();
        let deps = package["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter(|d| d["kind"].is_null() || d["kind"] == "build")
            .filter_map(|d| d["name"].as_str())
            .filter(|d| d.starts_with("sluice-"))
            .map(String::from)
            .collect();
        map.insert(name, deps);
    }
    map
}

#[test]
fn crates_depend_only_on_what_the_map_allows() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md at the root");
    let allowed = allowed_map(&text);
    let actual = actual_deps();
    assert!(
        actual.len() >= 9,
        "cargo metadata lists the workspace crates: {actual:?}"
    );
    let mut problems = Vec::new();
    for (krate, deps) in &actual {
        let Some(ok) = allowed.get(krate) else {
            problems.push(format!("{krate} has no row in ARCHITECTURE.md's dependency map"));
            continue;
        };
        for dep in deps.difference(ok) {
            problems.push(format!(
                "{krate} depends on {dep}, which ARCHITECTURE.md does not allow; move the shared part lower or change the map on purpose"
            ));
        }
    }
    for krate in allowed.keys().filter(|k| !actual.contains_key(*k)) {
        problems.push(format!("ARCHITECTURE.md maps {krate}, which is not a workspace crate"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_map_is_read_and_forbids_what_it_omits() {
    let allowed = allowed_map(
        "## Dependency map\n| crate | may depend on |\n|--|--|\n| sluice-a | |\n| sluice-b | sluice-a, sluice-c |\n## Next\n| sluice-z | sluice-a |\n",
    );
    assert_eq!(allowed.len(), 2, "{allowed:?}");
    assert!(allowed["sluice-a"].is_empty());
    assert_eq!(allowed["sluice-b"].iter().collect::<Vec<_>>(), ["sluice-a", "sluice-c"]);
}

/// A crate's modules by path (`["docker", "options"]`), each with its source file.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            let file = parts.pop().expect("a file name");
            match file.as_str() {
                "lib.rs" | "main.rs" | "mod.rs" => {}
                other => parts.push(other.trim_end_matches(".rs").to_owned()),
            }
            out.insert(parts, path);
        }
    }
    out
}

/// The source without comments and without the trailing `#[cfg(test)] mod tests`.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Paths such as `super::read::string` or `crate::{a, b::c}` in `code`, as segment lists, with
/// one level of braces expanded.
fn paths(code: &str) -> Vec<Vec<String>> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut found = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(ident(bytes[i - 1]) || bytes[i - 1] == ':');
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let head = ["crate::", "super::", "self::"]
            .into_iter()
            .find(|h| rest.starts_with(h));
        let Some(head) = head.filter(|_| starts_word) else {
            i += 1;
            continue;
        };
        let mut j = i;
        let mut prefix = Vec::new();
        loop {
            let start = j;
            while j < bytes.len() && ident(bytes[j]) {
                j += 1;
            }
            prefix.push(bytes[start..j].iter().collect::<String>());
            if bytes[j..].starts_with(&[':', ':']) {
                j += 2;
                if bytes.get(j) == Some(&'{') {
                    let end = bytes[j..].iter().position(|&c| c == '}').map_or(bytes.len(), |p| j + p);
                    let inner: String = bytes[j + 1..end].iter().collect();
                    for item in inner.split(',') {
                        let mut p = prefix.clone();
                        p.extend(
                            item.trim()
                                .split("::")
                                .map(|s| s.trim().to_owned())
                                .filter(|s| !s.is_empty()),
                        );
                        found.push(p);
                    }
                    j = end;
                    prefix.clear();
                    break;
                }
                continue;
            }
            break;
        }
        if !prefix.is_empty() {
            found.push(prefix);
        }
        i = j.max(i + head.len());
    }
    found
}

/// The module a path in module `at` names: the deepest existing module along it.
fn target(at: &[String], path: &[String], mods: &BTreeMap<Vec<String>, PathBuf>) -> Option<Vec<String>> {
    let mut base: Vec<String> = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "self" => at.to_vec(),
        "super" => at[..at.len().checked_sub(1)?].to_vec(),
        _ => return None,
    };
    let mut rest = &path[1..];
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    for segment in rest {
        let mut next = base.clone();
        next.push(segment.clone());
        if !mods.contains_key(&next) {
            break;
        }
        base = next;
    }
    Some(base)
}

/// Import edges between modules that are not ancestors of one another (a parent declares its
/// children and a child may use its parent; those are not circles).
fn edges(mods: &BTreeMap<Vec<String>, PathBuf>) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (at, file) in mods {
        let code = code_of(&std::fs::read_to_string(file).expect("read a source file"));
        for path in paths(&code) {
            let Some(to) = target(at, &path, mods) else { continue };
            if to.starts_with(at) || at.starts_with(&to) {
                continue;
            }
            graph.entry(at.clone()).or_default().insert(to);
        }
    }
    graph
}

/// Every circle in `graph`, as the modules on it (Tarjan's strongly connected components).
fn circles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    struct Walk<'g> {
        graph: &'g BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'g [String], (usize, usize)>,
        stack: Vec<&'g [String]>,
        next: usize,
        found: Vec<Vec<Vec<String>>>,
    }
    fn visit<'g>(w: &mut Walk<'g>, v: &'g [String]) {
        w.index.insert(v, (w.next, w.next));
        w.next += 1;
        w.stack.push(v);
        for to in w.graph.get(v).into_iter().flatten() {
            let to: &'g [String] = to;
            if !w.index.contains_key(to) {
                visit(w, to);
                let low = w.index[to].1.min(w.index[v].1);
                w.index.get_mut(v).expect("visited").1 = low;
            } else if w.stack.contains(&to) {
                let low = w.index[to].0.min(w.index[v].1);
                w.index.get_mut(v).expect("visited").1 = low;
            }
        }
        if w.index[v].0 == w.index[v].1 {
            let mut component = Vec::new();
            while let Some(top) = w.stack.pop() {
                component.push(top.to_vec());
                if top == v {
                    break;
                }
            }
            if component.len() > 1 {
                w.found.push(component);
            }
        }
    }
    let mut w = Walk {
        graph,
        index: BTreeMap::new(),
        stack: Vec::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !w.index.contains_key(v.as_slice()) {
            visit(&mut w, v);
        }
    }
    w.found
}

#[test]
fn no_crate_has_an_import_circle() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("crates")).expect("crates/") {
        let src = entry.expect("a crate folder").path().join("src");
        if !src.is_dir() {
            continue;
        }
        let mods = modules(&src);
        checked += mods.len();
        for circle in circles(&edges(&mods)) {
            let names: Vec<String> = circle.iter().map(|m| mods[m].display().to_string()).collect();
            problems.push(format!(
                "import circle: {}; move what they share into a lower module",
                names.join(" ↔ ")
            ));
        }
    }
    assert!(checked > 100, "the source files were found ({checked})");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_circle_is_found_and_a_parent_child_pair_is_not() {
    let dir = std::env::temp_dir().join(format!("sluice-arch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("ui")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod ui;\n").unwrap();
    std::fs::write(dir.join("ui/mod.rs"), "mod a; mod b; mod c;\nuse self::a::A;\n").unwrap();
    std::fs::write(
        dir.join("ui/a.rs"),
        "use super::b::B;\nuse super::Top; // super::c::C\n",
    )
    .unwrap();
    std::fs::write(dir.join("ui/b.rs"), "use super::{c::C, Top};\n").unwrap();
    std::fs::write(dir.join("ui/c.rs"), "fn f() { crate::ui::a::A::new(); }\n").unwrap();
    let mods = modules(&dir);
    let found = circles(&edges(&mods));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let mut names: Vec<String> = found[0].iter().map(|m| m.join("::")).collect();
    names.sort();
    assert_eq!(names, ["ui::a", "ui::b", "ui::c"]);
}
