//! Writers producing canonical, schema-valid documents.

pub(crate) mod business_card;
pub(crate) mod canonical;
pub(crate) mod service_group;
pub(crate) mod service_metadata;

/// The XML declaration every document starts with (not part of the canonical form).
pub(crate) const XML_DECLARATION: &str =
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
