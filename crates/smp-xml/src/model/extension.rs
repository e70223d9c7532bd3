//! `<Extension>` content kept as canonical XML.

use crate::error::XmlError;
use crate::read::dom::{self, Element};
use crate::write::canonical::CanonicalWriter;

/// The content of an `<Extension>` element (one foreign element, `xs:any`), kept as
/// canonical XML text.
///
/// Each element declares the namespaces its own name and attributes use (exclusive-C14N
/// style), so the text can be embedded anywhere and compares equal however the source
/// document spread its namespace declarations. Comments and processing instructions are
/// dropped. Namespace prefixes used only inside text or attribute values (QNames in content)
/// are not tracked and lose their declaration.
#[derive(Clone, Debug)]
pub struct Extension {
    canonical: String,
    root: Element,
}

impl Extension {
    /// Parses one XML element (an XML declaration, comments and surrounding whitespace are
    /// allowed). DOCTYPEs and custom entities are refused like everywhere else.
    pub fn parse(xml: &str) -> Result<Self, XmlError> {
        Ok(Self::from_element(dom::parse_str(xml)?))
    }

    /// The canonical XML text of the extension element.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    pub(crate) fn from_element(root: Element) -> Self {
        let mut w = CanonicalWriter::new();
        w.element(&root);
        Self {
            canonical: w.finish(),
            root,
        }
    }

    pub(crate) fn element(&self) -> &Element {
        &self.root
    }
}

impl PartialEq for Extension {
    fn eq(&self, other: &Self) -> bool {
        self.canonical == other.canonical
    }
}

impl Eq for Extension {}

impl std::fmt::Display for Extension {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.canonical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_whatever_the_declaration_site() {
        let a = Extension::parse(r#"<x:a xmlns:x="urn:x" xmlns:y="urn:y"><y:b/></x:a>"#).unwrap();
        let b = Extension::parse(r#"<?xml version="1.0"?><!-- c --><x:a xmlns:x="urn:x"><y:b xmlns:y="urn:y"></y:b></x:a>"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.as_str(),
            r#"<x:a xmlns:x="urn:x"><y:b xmlns:y="urn:y"></y:b></x:a>"#
        );
        assert_eq!(Extension::parse(a.as_str()).unwrap(), a);
    }

    #[test]
    fn refuses_non_xml_and_entities() {
        assert_eq!(
            Extension::parse("text").unwrap_err().code(),
            "xml.malformed"
        );
        assert_eq!(
            Extension::parse("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>")
                .unwrap_err()
                .code(),
            "xml.dtd_forbidden"
        );
    }
}
