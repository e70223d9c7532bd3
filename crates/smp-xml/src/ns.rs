//! Namespace URIs and the prefixes we write them with.

pub(crate) const SMP: &str = "http://busdox.org/serviceMetadata/publishing/1.0/";
pub(crate) const IDS: &str = "http://busdox.org/transport/identifiers/1.0/";
pub(crate) const WSA: &str = "http://www.w3.org/2005/08/addressing";
pub(crate) const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub(crate) const BC: &str = "http://www.peppol.eu/schema/pd/businesscard/20180621/";
