//! `jq` expressions, run by jaq (the Rust implementation of jq) on JSON values.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde_json::Value;

/// Every output of `expr` on `input`, in order, or why it failed.
pub(super) fn run(expr: &str, input: &Value) -> Result<Vec<Value>, String> {
    let defs = jaq_core::defs().chain(jaq_std::defs()).chain(jaq_json::defs());
    let funs = jaq_core::funs().chain(jaq_std::funs()).chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let program = File { code: expr, path: () };
    let modules = loader.load(&arena, program).map_err(|errs| {
        format!(
            "it does not parse ({} error{})",
            errs.len(),
            if errs.len() == 1 { "" } else { "s" }
        )
    })?;
    let filter = Compiler::default().with_funs(funs).compile(modules).map_err(|errs| {
        let names: Vec<String> = errs
            .iter()
            .flat_map(|(_, e)| e.iter().map(|(name, _)| format!("`{name}`")))
            .collect();
        format!("unknown name {}", names.join(", "))
    })?;
    let text = serde_json::to_string(input).map_err(|e| e.to_string())?;
    let input = jaq_json::read::parse_single(text.as_bytes()).map_err(|e| e.to_string())?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let mut out = Vec::new();
    for item in filter.id.run((ctx, input)).map(unwrap_valr) {
        let item = item.map_err(|e| e.to_string())?;
        let json = item.to_string();
        out.push(serde_json::from_str(&json).unwrap_or(Value::String(json)));
    }
    Ok(out)
}
