//! Writers producing canonical, schema-valid documents.

pub(crate) mod business_card;
pub(crate) mod canonical;
pub(crate) mod service_group;
pub(crate) mod service_metadata;

use crate::error::XmlError;
use crate::read::options::OutputBudget;
use crate::write::canonical::CanonicalWriter;

/// The XML declaration every document starts with (not part of the canonical form).
pub(crate) const XML_DECLARATION: &str =
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// The XML declaration followed by the canonical text `w` built.
pub(crate) fn document(w: CanonicalWriter) -> Vec<u8> {
    let mut out = String::from(XML_DECLARATION);
    out.push_str(&w.finish());
    out.into_bytes()
}

/// Checks that the document `body` writes (XML declaration included) fits in `budget`'s
/// limit, without holding more than that limit in memory.
pub(crate) fn check_size(
    budget: &OutputBudget,
    body: impl FnOnce(&mut CanonicalWriter),
) -> Result<(), XmlError> {
    let mut w = CanonicalWriter::bounded(budget.limit().saturating_sub(XML_DECLARATION.len()));
    body(&mut w);
    match w.finish_within() {
        Some(_) => Ok(()),
        None => Err(budget.exceeded()),
    }
}
