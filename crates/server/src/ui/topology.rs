//! The topology picture of a flow: its tasks as boxes laid out top to bottom in run order, with
//! Sequential and Parallel tasks as boxes holding their children (one under the other with arrows,
//! or side by side), and the `errors` and `finally` branches in lanes of their own.
//!
//! This module only computes geometry; `topology.html` draws it as inline SVG.

use super::format::short_type;
use serde::Serialize;
use sluice_flow::Flow;
use sluice_flow::model::Task;

const LEAF_W: f64 = 180.0;
const LEAF_H: f64 = 46.0;
/// Vertical room between two tasks in order, where the arrow goes.
const GAP_V: f64 = 26.0;
/// Horizontal room between parallel branches.
const GAP_H: f64 = 14.0;
/// Padding inside a container box.
const PAD: f64 = 10.0;
/// Height of a container's title bar.
const HEADER: f64 = 24.0;
/// Height of a lane's title.
const LANE_HEADER: f64 = 30.0;
/// Room between lanes.
const LANE_GAP: f64 = 36.0;
const MARGIN: f64 = 10.0;
/// Width of a character of the labels, roughly, to shorten labels that would not fit.
const CHAR_W: f64 = 7.2;

/// A box: a task, or a Sequential/Parallel container.
#[derive(Debug, Serialize)]
pub(crate) struct TaskBox {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    /// `task`, `sequential` or `parallel`.
    kind: &'static str,
    /// The task id, shortened to fit.
    label: String,
    /// The type's short name, shortened to fit.
    type_label: String,
    /// Full text for the tooltip: id, type and description.
    title: String,
    /// Whether the task is disabled.
    disabled: bool,
}

/// An arrow from one task to the next.
#[derive(Debug, Serialize)]
pub(crate) struct Arrow {
    x: f64,
    y1: f64,
    y2: f64,
}

/// A lane: the main tasks, `errors` or `finally`.
#[derive(Debug, Serialize)]
pub(crate) struct Lane {
    x: f64,
    w: f64,
    title: &'static str,
    /// Where the divider before this lane goes (none for the first lane).
    divider: Option<f64>,
}

/// The whole picture.
#[derive(Debug, Serialize)]
pub(crate) struct Topology {
    width: f64,
    height: f64,
    lanes: Vec<Lane>,
    boxes: Vec<TaskBox>,
    arrows: Vec<Arrow>,
    /// How many tasks (leaf or container) are drawn.
    pub count: usize,
}

/// A container's columns, each drawn as a stack: one per child of a Parallel, one per branch of
/// an If or a Switch (then, else, each case, errors, finally); a Sequential, ForEach, Dag or
/// WorkingDirectory has its one list.
fn columns(task: &Task) -> Vec<&[Task]> {
    if task.flowable == Some(sluice_flow::model::Flowable::Parallel) {
        return task.tasks.iter().map(std::slice::from_ref).collect();
    }
    task.child_lists().filter(|l| !l.is_empty()).collect()
}

/// Width and height of a task's box.
fn size(task: &Task) -> (f64, f64) {
    let columns = columns(task);
    match columns.as_slice() {
        [] => (LEAF_W, LEAF_H),
        [one] => {
            let (w, h) = stack_size(one);
            ((w + 2.0 * PAD).max(LEAF_W), h + HEADER + PAD)
        }
        many => {
            let sizes: Vec<(f64, f64)> = many.iter().map(|c| stack_size(c)).collect();
            let w = sizes.iter().map(|s| s.0).sum::<f64>() + GAP_H * (sizes.len() - 1) as f64 + 2.0 * PAD;
            let h = sizes.iter().map(|s| s.1).fold(0.0, f64::max) + HEADER + PAD;
            (w.max(LEAF_W), h)
        }
    }
}

/// Width and height of tasks one under the other.
fn stack_size(tasks: &[Task]) -> (f64, f64) {
    let sizes: Vec<(f64, f64)> = tasks.iter().map(size).collect();
    let w = sizes.iter().map(|s| s.0).fold(0.0, f64::max);
    let h = sizes.iter().map(|s| s.1).sum::<f64>() + GAP_V * sizes.len().saturating_sub(1) as f64;
    (w, h)
}

/// Shortens `text` to fit `width`, with an ellipsis.
fn fit(text: &str, width: f64) -> String {
    let max = ((width - 16.0) / CHAR_W).floor().max(3.0) as usize;
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

struct Builder {
    boxes: Vec<TaskBox>,
    arrows: Vec<Arrow>,
}

impl Builder {
    /// Places a task with its top edge at `y`, centred on `cx`.
    fn place(&mut self, task: &Task, cx: f64, y: f64) {
        let (w, h) = size(task);
        let x = cx - w / 2.0;
        let columns = columns(task);
        let kind = match columns.len() {
            0 => "task",
            1 => "sequential",
            _ => "parallel",
        };
        let ty = short_type(&task.type_name);
        let mut title = format!("{} ({})", task.id, task.type_name);
        if let Some(d) = &task.description {
            title.push_str(" — ");
            title.push_str(d);
        }
        // A container's title bar holds both: the type name (11px text, about 6.2 units a
        // character) keeps what it needs, the id the rest.
        let type_width = ty.chars().count() as f64 * 6.2;
        let (label, type_label) = if kind == "task" {
            (fit(&task.id, w), fit(ty, w))
        } else if type_width < w / 2.0 {
            (fit(&task.id, w - type_width - 8.0), ty.to_string())
        } else {
            (fit(&task.id, w / 2.0), fit(ty, w / 2.0))
        };
        self.boxes.push(TaskBox {
            x,
            y,
            w,
            h,
            kind,
            label,
            type_label,
            title,
            disabled: task.disabled,
        });
        if let [one] = columns.as_slice() {
            self.stack(one, cx, y + HEADER);
        } else {
            let mut left = x + PAD;
            for column in columns {
                let (cw, _) = stack_size(column);
                self.stack(column, left + cw / 2.0, y + HEADER);
                left += cw + GAP_H;
            }
        }
    }

    /// Places tasks one under the other from `y`, with arrows between them.
    fn stack(&mut self, tasks: &[Task], cx: f64, mut y: f64) {
        for (i, task) in tasks.iter().enumerate() {
            self.place(task, cx, y);
            y += size(task).1;
            if i + 1 < tasks.len() {
                self.arrows.push(Arrow {
                    x: cx,
                    y1: y,
                    y2: y + GAP_V,
                });
                y += GAP_V;
            }
        }
    }
}

/// Lays out a flow's tasks.
pub(crate) fn layout(flow: &Flow) -> Topology {
    let mut b = Builder {
        boxes: Vec::new(),
        arrows: Vec::new(),
    };
    let mut lanes = Vec::new();
    let mut x = MARGIN;
    let mut height: f64 = 0.0;
    let branches: [(&'static str, &[Task]); 3] = [
        ("Tasks", &flow.tasks),
        ("Errors (when a task fails)", &flow.errors),
        ("Finally (always)", &flow.finally),
    ];
    for (title, tasks) in branches {
        if tasks.is_empty() {
            continue;
        }
        let (w, h) = stack_size(tasks);
        let w = w.max(LEAF_W);
        let divider = (!lanes.is_empty()).then_some(x - LANE_GAP / 2.0);
        lanes.push(Lane { x, w, title, divider });
        b.stack(tasks, x + w / 2.0, MARGIN + LANE_HEADER);
        height = height.max(h);
        x += w + LANE_GAP;
    }
    let width = (x - LANE_GAP + MARGIN).max(LEAF_W + 2.0 * MARGIN);
    Topology {
        width,
        height: height + LANE_HEADER + 2.0 * MARGIN,
        count: b.boxes.len(),
        lanes,
        boxes: b.boxes,
        arrows: b.arrows,
    }
}
