//! A flow's declared inputs: their types, limits and dependencies, as Kestra names them.

use serde::Serialize;

/// A declared input.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    /// Input id, read as `{{ inputs.id }}`.
    pub id: String,
    /// What values it takes.
    pub input_type: InputType,
    /// Value when none is given.
    pub defaults: Option<serde_json::Value>,
    /// Whether an execution must give it (default true unless it has defaults).
    pub required: bool,
    /// What the input is for.
    pub description: Option<String>,
    /// The allowed values of a SELECT or MULTISELECT.
    pub values: Vec<String>,
    /// The label forms show instead of the id.
    pub display_name: Option<String>,
    /// A template that renders to the allowed values of a SELECT or MULTISELECT, instead of
    /// `values` (Kestra's dynamic choices).
    pub expression: Option<String>,
    /// Whether a SELECT or MULTISELECT also takes a value that is not one of its choices.
    pub allow_custom_value: bool,
    /// The type of each item of an ARRAY (or MULTISELECT).
    pub item_type: Option<InputType>,
    /// The inputs this one waits for, and when it applies at all.
    pub depends_on: Option<DependsOn>,
    /// Bounds and patterns a value must keep.
    pub constraints: InputConstraints,
}

/// Kestra's `dependsOn` of an input: it is resolved after `inputs`, and only asked for (and
/// checked) when `condition` renders to true.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DependsOn {
    /// Ids of the inputs this one depends on.
    pub inputs: Vec<String>,
    /// A template over `inputs` that must render to `true` for this input to apply.
    pub condition: Option<String>,
}

/// The type-specific limits of an input, as Kestra names them: `validator` (a regular
/// expression a STRING or SECRET must match whole), `min`/`max` (INT, FLOAT, DURATION) and
/// `after`/`before` (DATETIME, DATE, TIME). Bounds keep the YAML's value; they are checked
/// against the input's type when the flow is validated.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InputConstraints {
    /// A regular expression the whole value must match.
    pub validator: Option<String>,
    /// The smallest value allowed.
    pub min: Option<serde_json::Value>,
    /// The largest value allowed.
    pub max: Option<serde_json::Value>,
    /// Values must be after this date, time or instant.
    pub after: Option<String>,
    /// Values must be before this date, time or instant.
    pub before: Option<String>,
}

/// Kinds of input values, with Kestra's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
#[allow(missing_docs)]
pub enum InputType {
    String,
    Int,
    Float,
    Boolean,
    Json,
    Select,
    Multiselect,
    Datetime,
    Date,
    Time,
    Duration,
    File,
    Uri,
    Email,
    Secret,
    Array,
    Yaml,
}

impl InputType {
    /// Every type name a flow may write, in Kestra's spelling.
    pub const NAMES: &'static [&'static str] = &[
        "STRING",
        "INT",
        "FLOAT",
        "BOOLEAN",
        "BOOL",
        "JSON",
        "SELECT",
        "ENUM",
        "MULTISELECT",
        "DATETIME",
        "DATE",
        "TIME",
        "DURATION",
        "FILE",
        "URI",
        "EMAIL",
        "SECRET",
        "ARRAY",
        "YAML",
    ];

    /// The type a name selects (`ENUM` is Kestra's older `SELECT`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::parse(name)
    }

    /// Kestra's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::String => "STRING",
            Self::Int => "INT",
            Self::Float => "FLOAT",
            Self::Boolean => "BOOLEAN",
            Self::Json => "JSON",
            Self::Select => "SELECT",
            Self::Multiselect => "MULTISELECT",
            Self::Datetime => "DATETIME",
            Self::Date => "DATE",
            Self::Time => "TIME",
            Self::Duration => "DURATION",
            Self::File => "FILE",
            Self::Uri => "URI",
            Self::Email => "EMAIL",
            Self::Secret => "SECRET",
            Self::Array => "ARRAY",
            Self::Yaml => "YAML",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "STRING" => Self::String,
            "INT" => Self::Int,
            "FLOAT" => Self::Float,
            "BOOLEAN" | "BOOL" => Self::Boolean,
            "JSON" => Self::Json,
            "SELECT" | "ENUM" => Self::Select,
            "MULTISELECT" => Self::Multiselect,
            "DATETIME" => Self::Datetime,
            "DATE" => Self::Date,
            "TIME" => Self::Time,
            "DURATION" => Self::Duration,
            "FILE" => Self::File,
            "URI" => Self::Uri,
            "EMAIL" => Self::Email,
            "SECRET" => Self::Secret,
            "ARRAY" => Self::Array,
            "YAML" => Self::Yaml,
            _ => return None,
        })
    }
}
