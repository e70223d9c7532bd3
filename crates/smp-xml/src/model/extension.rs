//! `<Extension>` content kept as canonical XML.

use crate::error::XmlError;
use crate::read::dom::{self, Element};
use crate::read::options::{OutputBudget, ParseOptions};
use crate::write::canonical::CanonicalWriter;

/// The content of an `<Extension>` element (one foreign element, `xs:any`), kept as
/// canonical XML text.
///
/// Namespace declarations stay on the elements the source wrote them on (as in inclusive
/// C14N), so the text is never larger than the source by more than escaping and the
/// bindings it inherited: the top element also declares the namespaces its content uses
/// but inherited from the enclosing document, so the text stands on its own and can be
/// embedded anywhere. Declarations nothing uses are dropped, which makes text written by
/// this crate read back to the same text. Comments and processing instructions are
/// dropped too. Namespace prefixes used only inside text or attribute values (QNames in
/// content) are not tracked and lose their declaration.
#[derive(Clone, Debug)]
pub struct Extension {
    canonical: String,
    root: Element,
}

impl Extension {
    /// Parses one XML element (an XML declaration, comments and surrounding whitespace are
    /// allowed). DOCTYPEs and custom entities are refused like everywhere else, and the
    /// limits of [`ParseOptions::default`] apply.
    pub fn parse(xml: &str) -> Result<Self, XmlError> {
        let mut budget = OutputBudget::new(&ParseOptions::default(), xml.len());
        Self::from_element(dom::parse_str(xml)?, &mut budget)
    }

    /// The canonical XML text of the extension element.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// Builds the canonical text, charging its length to `budget`.
    pub(crate) fn from_element(root: Element, budget: &mut OutputBudget) -> Result<Self, XmlError> {
        let mut w = CanonicalWriter::bounded(budget.remaining());
        w.element(&root);
        let canonical = w.finish_within().ok_or_else(|| budget.exceeded())?;
        budget.charge(canonical.len())?;
        Ok(Self { canonical, root })
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
    fn declarations_stay_where_they_were_written() {
        let a = Extension::parse(r#"<x:a xmlns:x="urn:x" xmlns:y="urn:y"><y:b/></x:a>"#).unwrap();
        assert_eq!(
            a.as_str(),
            r#"<x:a xmlns:x="urn:x" xmlns:y="urn:y"><y:b></y:b></x:a>"#
        );
        let b = Extension::parse(r#"<?xml version="1.0"?><!-- c --><x:a xmlns:x="urn:x" xmlns:u="urn:unused"><y:b xmlns:y="urn:y"/></x:a>"#).unwrap();
        assert_eq!(
            b.as_str(),
            r#"<x:a xmlns:x="urn:x"><y:b xmlns:y="urn:y"></y:b></x:a>"#
        );
        assert_ne!(a, b);
        for ext in [a, b] {
            assert_eq!(Extension::parse(ext.as_str()).unwrap(), ext);
        }
    }

    /// Text stored by earlier versions, which declared namespaces on every element that
    /// used them, reads back unchanged.
    #[test]
    fn earlier_canonical_text_is_kept() {
        for old in [
            r#"<x:a xmlns:x="urn:x"><y:b xmlns:y="urn:y"></y:b><y:c xmlns:y="urn:y" y:d="1"></y:c></x:a>"#,
            r#"<Foo xmlns="urn:s" xmlns:q="urn:q" q:a="1"><Bar>t</Bar><c xmlns=""></c></Foo>"#,
        ] {
            assert_eq!(Extension::parse(old).unwrap().as_str(), old);
        }
    }

    #[test]
    fn canonical_text_is_bounded_by_the_input() {
        // 4,000 children that use one long namespace declared once.
        let uri = format!("urn:{}", "x".repeat(1000));
        let xml = format!(r#"<p:a xmlns:p="{uri}">{}</p:a>"#, "<p:b/>".repeat(4000));
        let ext = Extension::parse(&xml).unwrap();
        assert!(ext.as_str().len() < 2 * xml.len(), "{}", ext.as_str().len());
        // Escaping can grow text, but not past the output ratio.
        let xml = format!("<a x='{}'/>", "\"".repeat(10_000));
        assert_eq!(
            Extension::parse(&xml).unwrap_err().code(),
            "xml.limit.output"
        );
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
