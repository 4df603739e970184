//! The catalog a validator is handed: every task, trigger and task-runner type one build of
//! Sluice knows. The flow crate defines its shape; `sluice-tasks` fills it, one module per type.

use super::{RUNNERS, TypeSpec};

/// Every type a validator accepts, by kind.
#[derive(Debug)]
pub struct Catalog {
    /// Task types.
    pub tasks: Vec<&'static TypeSpec>,
    /// Trigger types.
    pub triggers: Vec<&'static TypeSpec>,
    /// Task runner types.
    pub runners: Vec<&'static TypeSpec>,
    /// Trigger condition types.
    pub conditions: Vec<&'static TypeSpec>,
}

impl Catalog {
    /// A catalog of these task and trigger types, with Sluice's task runners.
    pub fn new(tasks: Vec<&'static TypeSpec>, triggers: Vec<&'static TypeSpec>) -> Self {
        Catalog {
            tasks,
            triggers,
            runners: RUNNERS.iter().collect(),
            conditions: Vec::new(),
        }
    }

    /// The same catalog, with these trigger condition types.
    pub fn with_conditions(mut self, conditions: Vec<&'static TypeSpec>) -> Self {
        self.conditions = conditions;
        self
    }

    /// A task type by full name or alias.
    pub fn task(&self, name: &str) -> Option<&'static TypeSpec> {
        find_type(&self.tasks, name)
    }

    /// A type of any kind by full name or alias (for `pluginDefaults`).
    pub fn any(&self, name: &str) -> Option<&'static TypeSpec> {
        find_type(&self.tasks, name)
            .or_else(|| find_type(&self.runners, name))
            .or_else(|| find_type(&self.triggers, name))
            .or_else(|| find_type(&self.conditions, name))
    }

    /// Every name, full or alias, of every type: what a plugin default's prefix may match.
    pub fn all_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        type_names(&self.tasks)
            .chain(type_names(&self.runners))
            .chain(type_names(&self.triggers))
            .chain(type_names(&self.conditions))
    }

    /// Whether `spec` is one of the task types (and so has the common task properties).
    pub fn is_task(&self, spec: &TypeSpec) -> bool {
        self.tasks.iter().any(|t| std::ptr::eq(*t, spec))
    }

    /// Whether `spec` is one of the trigger types.
    pub fn is_trigger(&self, spec: &TypeSpec) -> bool {
        self.triggers.iter().any(|t| std::ptr::eq(*t, spec))
    }
}

/// Finds the type a flow names, by full name or alias.
pub fn find_type(table: &[&'static TypeSpec], name: &str) -> Option<&'static TypeSpec> {
    table.iter().copied().find(|t| t.is_named(name))
}

/// Every name, full or alias, of a table's types: the candidates for did-you-mean.
pub fn type_names<'a>(table: &'a [&'static TypeSpec]) -> impl Iterator<Item = &'static str> + 'a {
    table
        .iter()
        .flat_map(|t| std::iter::once(t.name).chain(t.aliases.iter().copied()))
}
