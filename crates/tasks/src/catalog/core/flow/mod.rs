//! `io.kestra.plugin.core.flow`: tasks that hold other tasks, walked by the engine.

pub mod allow_failure;
pub mod dag;
pub mod each_parallel;
pub mod each_sequential;
pub mod for_each;
pub mod for_each_item;
pub mod if_then;
pub mod loop_until;
pub mod parallel;
pub mod pause;
pub mod sequential;
pub mod sleep;
pub mod subflow;
pub mod switch;
pub mod working_directory;

use sluice_flow::schema::{Kind, Prop, opt};

/// `errors`: what a flowable runs when one of its children fails (it still fails).
pub const ERRORS: Prop = opt(
    "errors",
    Kind::Tasks,
    "Tasks run, one after the other, when a child task fails; the task still fails.",
);

/// `finally`: what a flowable runs once its children ended, whatever their state.
pub const FINALLY: Prop = opt(
    "finally",
    Kind::Tasks,
    "Tasks run, one after the other, once the children ended, whatever their state.",
);
