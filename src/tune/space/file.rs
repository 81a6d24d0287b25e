//! Reading a space file: the text parsed into one document tree, the
//! dialect detected by its shape, then handed to that dialect's reader.

use std::path::Path;

use super::doc::{parse_text, Ctx, Value};
use super::{katib, nni, wandb, Dialect, SpaceError, SpaceFile};

/// The dialect of a document, by its shape.
pub(super) fn detect(doc: &Value) -> Option<Dialect> {
    let obj = doc.as_mapping()?;
    let katib = obj.get("kind").and_then(Value::as_str) == Some("Experiment")
        || doc
            .get("spec")
            .and_then(|s| s.get("parameters"))
            .is_some_and(Value::is_sequence);
    if katib {
        return Some(Dialect::Katib);
    }
    if obj.contains_key("searchSpace") || obj.contains_key("searchSpaceFile") {
        return Some(Dialect::NniConfig);
    }
    if obj.get("parameters").is_some_and(Value::is_mapping) {
        return Some(Dialect::Wandb);
    }
    let nni = !obj.is_empty() && obj.values().all(|v| v.get("_type").is_some());
    nni.then_some(Dialect::Nni)
}

/// Reads and parses a space file (see [`SpaceFile::load`]).
pub(super) fn load(path: &Path) -> Result<SpaceFile, SpaceError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| SpaceError::new(format!("{file}: cannot read the space file: {e}")))?;
    let doc = parse_text(&text, &file)?;
    let ctx = Ctx::new(&file);
    let Some(dialect) = detect(&doc) else {
        return Err(ctx.err(
            "not a recognised space file: expected a W&B sweep (`parameters:` with \
             values/value/distribution/min/max), an NNI search space (entries with `_type` and \
             `_value`), an NNI config (`searchSpace`) or a Katib Experiment (`spec.parameters`)",
        ));
    };
    let mut sf = match dialect {
        Dialect::Katib => katib::read(&doc, &ctx)?,
        Dialect::NniConfig => nni::read_config(&doc, &ctx, path)?,
        Dialect::Wandb => wandb::read(&doc, &ctx)?,
        Dialect::Nni => SpaceFile {
            space: nni::read_space(&doc, &ctx)?,
            ..SpaceFile::default()
        },
    };
    sf.dialect = Some(dialect);
    Ok(sf)
}
