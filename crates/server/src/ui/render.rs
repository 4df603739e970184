//! Templates: one minijinja environment holding every page, embedded in the binary, with HTML
//! autoescaping on (every template name ends in `.html`).

use super::assets;
use axum::response::Html;
use minijinja::value::Serde;
use minijinja::value::ValueKind;
use minijinja::{AutoEscape, Environment, Error, Output, State, UndefinedBehavior, Value, context};
use serde::Serialize;
use std::sync::LazyLock;

/// Every template, by name. Names end in `.html`, which turns autoescaping on.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../assets/templates/layout.html")),
    ("error.html", include_str!("../../assets/templates/error.html")),
    ("flows.html", include_str!("../../assets/templates/flows.html")),
    ("flow.html", include_str!("../../assets/templates/flow.html")),
    ("topology.html", include_str!("../../assets/templates/topology.html")),
    (
        "executions.html",
        include_str!("../../assets/templates/executions.html"),
    ),
    ("execution.html", include_str!("../../assets/templates/execution.html")),
    ("live.html", include_str!("../../assets/templates/live.html")),
    ("gantt.html", include_str!("../../assets/templates/gantt.html")),
    ("file.html", include_str!("../../assets/templates/file.html")),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // A misspelt variable is an error in tests rather than an empty cell on a page; `if` and
    // `default` still work on missing values.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_formatter(format_value);
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            // Only a broken embedded template gets here; the UI tests render every page.
            tracing::error!("web UI template {name} does not parse: {e:#}");
        }
    }
    env
});

/// How `{{ value }}` prints: HTML-escaped (`&`, `<`, `>`, `"` and `'`) unless marked safe; `none`
/// prints nothing, booleans print as `true`/`false` (the script reads them from attributes), and
/// whole floats (SVG coordinates) print without `.0`.
fn format_value(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if value.is_safe() || *state.auto_escape() != AutoEscape::Html {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = match value.kind() {
        ValueKind::Undefined | ValueKind::None => return Ok(()),
        ValueKind::Bool => {
            return out
                .write_str(if value.is_true() { "true" } else { "false" })
                .map_err(Error::from);
        }
        ValueKind::Number => {
            let text = value.to_string();
            return out
                .write_str(text.strip_suffix(".0").unwrap_or(&text))
                .map_err(Error::from);
        }
        _ => value.to_string(),
    };
    let mut rest = text.as_str();
    while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
        out.write_str(&rest[..i])?;
        out.write_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        })?;
        rest = &rest[i + 1..];
    }
    out.write_str(rest).map_err(Error::from)
}

/// Renders one template to a string.
pub(crate) fn render<S: Serialize>(name: &str, ctx: S) -> Result<String, Error> {
    let template = ENV.get_template(name)?;
    template.render(ser(ctx))
}

/// A template value of anything serializable.
pub(crate) fn ser<S: Serialize>(value: S) -> Value {
    Value::from(Serde(value))
}

/// Which item of the header navigation a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    /// The flow list and flow pages.
    Flows,
    /// The execution list and execution pages.
    Executions,
    /// Pages that belong to neither (errors).
    None,
}

impl Nav {
    fn as_str(self) -> &'static str {
        match self {
            Nav::Flows => "flows",
            Nav::Executions => "executions",
            Nav::None => "",
        }
    }
}

/// Renders a page template inside the common layout (header, navigation, `<main>`).
pub(crate) fn page<S: Serialize>(title: &str, nav: Nav, name: &str, ctx: S) -> Result<Html<String>, Error> {
    let content = render(name, ctx)?;
    layout(title, nav, content).map(Html)
}

/// Wraps already rendered (and escaped) HTML in the layout.
pub(crate) fn layout(title: &str, nav: Nav, content: String) -> Result<String, Error> {
    let ctx = context! {
        title,
        nav => nav.as_str(),
        content => Value::from_safe_string(content),
        css => assets::url("app.css"),
        js => assets::url("app.js"),
    };
    ENV.get_template("layout.html")?.render(ctx)
}
