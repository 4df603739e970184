//! A Dag's `tasks`: entries of `task` (any task) and `dependsOn` (ids of other entries). Each
//! dependency must name a task of the same Dag, and no chain of dependencies may come back to
//! where it started; both are reported where they are written.

use super::defaults::PluginDefault;
use super::{Cx, expect_map};
use crate::diagnostic::Diagnostic;
use crate::model::Task;
use crate::suggest::did_you_mean;
use crate::yaml::{Node, Value};

/// The keys of a Dag entry.
const ENTRY_KEYS: &[&str] = &["task", "dependsOn"];

/// How one task is checked (the task checker, handed in so this module stays below it).
pub(super) type CheckTask = fn(&mut Cx<'_>, &Node, &[PluginDefault]) -> Option<Task>;

/// Checks a Dag's `tasks` with `check_task` and returns its tasks, each with its `depends_on`.
pub(super) fn check_dag(cx: &mut Cx<'_>, node: &Node, defaults: &[PluginDefault], check_task: CheckTask) -> Vec<Task> {
    let Value::Seq(items) = &node.value else {
        cx.push(
            Diagnostic::error(
                node.pos,
                "wrong-type",
                format!("a Dag's `tasks` must be a list, found {}", node.kind_name()),
            )
            .with_help("write each entry as `- task: {id: …, type: …}` with an optional `dependsOn: [other_id]`"),
        );
        return Vec::new();
    };
    let mut tasks = Vec::new();
    // (task index, dependency id, where it is written)
    let mut edges = Vec::new();
    for item in items {
        let Some(entries) = expect_map(cx, item, "a Dag entry") else {
            continue;
        };
        for (k, _) in entries {
            let key = k.scalar_text().unwrap_or_default();
            if !ENTRY_KEYS.contains(&key.as_str()) {
                let help = match did_you_mean(&key, ENTRY_KEYS.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "a Dag entry has `task` (the task) and `dependsOn` (ids it waits for); move the task's own properties under `task`".into(),
                };
                cx.push(
                    Diagnostic::error(
                        k.pos,
                        "unknown-property",
                        format!("unknown property `{key}` in a Dag entry"),
                    )
                    .with_help(help),
                );
            }
        }
        let Some(task_node) = item.get("task") else {
            cx.push(
                Diagnostic::error(item.pos, "missing-property", "a Dag entry has no `task`")
                    .with_help("write `- task: {id: load, type: io.kestra.plugin.core.log.Log, message: hi}`"),
            );
            continue;
        };
        let Some(task) = check_task(cx, task_node, defaults) else {
            continue;
        };
        if let Some(deps) = item.get("dependsOn") {
            match &deps.value {
                Value::Seq(ids) => {
                    for id in ids {
                        match id.scalar_text() {
                            Some(text) => edges.push((tasks.len(), text, id.pos)),
                            None => cx.push(
                                Diagnostic::error(id.pos, "wrong-type", "each `dependsOn` entry must be a task id")
                                    .with_help("e.g. `dependsOn: [extract, transform]`"),
                            ),
                        }
                    }
                }
                Value::Null => {}
                _ => cx.push(
                    Diagnostic::error(deps.pos, "wrong-type", "`dependsOn` must be a list of task ids")
                        .with_help("e.g. `dependsOn: [extract]`"),
                ),
            }
        }
        tasks.push(task);
    }
    let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    for (index, dep, pos) in edges {
        if !ids.contains(&dep) {
            let others = ids.iter().map(String::as_str).filter(|i| *i != tasks[index].id);
            let help = match did_you_mean(&dep, others) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the tasks of this Dag are: {}", ids.join(", ")),
            };
            cx.push(
                Diagnostic::error(
                    pos,
                    "unknown-dependency",
                    format!(
                        "`{}` depends on `{dep}`, which is not a task of this Dag",
                        tasks[index].id
                    ),
                )
                .with_help(help),
            );
        } else if dep == tasks[index].id {
            cx.push(
                Diagnostic::error(pos, "dag-cycle", format!("`{dep}` depends on itself"))
                    .with_help("remove it from its own `dependsOn`"),
            );
        } else {
            tasks[index].depends_on.push(dep);
        }
    }
    if let Some(cycle) = find_cycle(&tasks) {
        cx.push(
            Diagnostic::error(
                tasks[cycle[0]].pos,
                "dag-cycle",
                format!(
                    "the Dag's dependencies go round in a circle: {}",
                    cycle
                        .iter()
                        .chain(cycle.first())
                        .map(|&i| format!("`{}`", tasks[i].id))
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            )
            .with_help("a task cannot wait, even through others, for a task that waits for it; remove one `dependsOn` of the circle"),
        );
    }
    tasks
}

/// A circle of dependencies (task indexes, each depending on the next), if there is one.
fn find_cycle(tasks: &[Task]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let index = |id: &str| tasks.iter().position(|t| t.id == id);
    let mut marks = vec![Mark::New; tasks.len()];
    for start in 0..tasks.len() {
        if marks[start] != Mark::New {
            continue;
        }
        // Depth-first, without recursion: (task, next dependency to look at).
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        marks[start] = Mark::Open;
        while let Some(&mut (at, ref mut next)) = path.last_mut() {
            let Some(dep) = tasks[at].depends_on.get(*next).and_then(|d| index(d)) else {
                if *next >= tasks[at].depends_on.len() {
                    marks[at] = Mark::Done;
                    path.pop();
                } else {
                    *next += 1;
                }
                continue;
            };
            *next += 1;
            match marks[dep] {
                Mark::Open => {
                    let from = path.iter().position(|(t, _)| *t == dep).unwrap_or(0);
                    return Some(path[from..].iter().map(|(t, _)| *t).collect());
                }
                Mark::New => {
                    marks[dep] = Mark::Open;
                    path.push((dep, 0));
                }
                Mark::Done => {}
            }
        }
    }
    None
}
