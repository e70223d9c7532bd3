//! Output in Canonical XML 1.0 form (inclusive, without comments).
//!
//! Everything this crate writes goes through here, so the bytes after the XML declaration
//! are already canonical: a verifier recomputes exactly the digest we signed. That needs
//! our own escaping (C14N §2.3 rules, not quick-xml's), sorted namespace declarations and
//! attributes, explicit end tags, and no redundant namespace declarations.

use crate::read::dom::{Element, Node};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Builds canonical XML text, tracking which namespace bindings are already rendered by
/// output ancestors.
#[derive(Debug, Default)]
pub(crate) struct CanonicalWriter {
    out: String,
    /// Per open element: bindings it rendered, as (prefix, "" for default; URI).
    rendered: Vec<Vec<(String, String)>>,
}

impl CanonicalWriter {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A writer whose output continues inside an element that already rendered `decls`
    /// (prefix, URI).
    pub(crate) fn with_context(decls: &[(&str, &str)]) -> Self {
        Self {
            out: String::new(),
            rendered: vec![
                decls
                    .iter()
                    .map(|(p, u)| ((*p).to_owned(), (*u).to_owned()))
                    .collect(),
            ],
        }
    }

    /// The binding for `prefix` rendered by the nearest output ancestor, if any.
    fn in_scope(&self, prefix: &str) -> Option<&str> {
        self.rendered
            .iter()
            .rev()
            .flat_map(|level| level.iter().rev())
            .find(|(p, _)| p == prefix)
            .map(|(_, uri)| uri.as_str())
    }

    /// Opens `qname`, declaring `decls` (prefix, URI; "" prefix = default namespace) unless
    /// an ancestor already rendered the same binding, and writing unqualified `attrs`.
    pub(crate) fn start(&mut self, qname: &str, decls: &[(&str, &str)], attrs: &[(&str, &str)]) {
        let mut needed: Vec<(String, String)> = decls
            .iter()
            .filter(|(p, uri)| self.in_scope(p).unwrap_or("") != *uri)
            .map(|(p, uri)| ((*p).to_owned(), (*uri).to_owned()))
            .collect();
        needed.sort();
        let mut attrs: Vec<(&str, &str)> = attrs.to_vec();
        attrs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        self.open(
            qname,
            needed,
            attrs.into_iter().map(|(n, v)| (n.to_owned(), v)),
        );
    }

    fn open<'v>(
        &mut self,
        qname: &str,
        decls: Vec<(String, String)>,
        attrs: impl Iterator<Item = (String, &'v str)>,
    ) {
        self.out.push('<');
        self.out.push_str(qname);
        for (prefix, uri) in &decls {
            if prefix.is_empty() {
                self.out.push_str(" xmlns=\"");
            } else {
                self.out.push_str(" xmlns:");
                self.out.push_str(prefix);
                self.out.push_str("=\"");
            }
            escape_attribute(&mut self.out, uri);
            self.out.push('"');
        }
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(&name);
            self.out.push_str("=\"");
            escape_attribute(&mut self.out, value);
            self.out.push('"');
        }
        self.out.push('>');
        self.rendered.push(decls);
    }

    pub(crate) fn end(&mut self, qname: &str) {
        self.rendered.pop();
        self.out.push_str("</");
        self.out.push_str(qname);
        self.out.push('>');
    }

    pub(crate) fn text(&mut self, text: &str) {
        escape_text(&mut self.out, text);
    }

    /// `<qname attrs>text</qname>`.
    pub(crate) fn leaf(&mut self, qname: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(qname, &[], attrs);
        self.text(text);
        self.end(qname);
    }

    /// Writes a foreign element (extension content), declaring on each element only the
    /// namespaces its own name and attributes use and that are not already in scope. The
    /// result does not depend on where the source declared its namespaces, which keeps
    /// extensions stable across parse/write round trips.
    pub(crate) fn element(&mut self, el: &Element) {
        let qname = qualified(el.prefix.as_deref(), &el.local);
        let mut decls: Vec<(String, String)> = Vec::new();
        let elem_prefix = el.prefix.clone().unwrap_or_default();
        let mut wanted: Vec<(String, String)> = vec![(elem_prefix, el.ns.clone())];
        for attr in &el.attrs {
            if let Some(p) = &attr.prefix {
                wanted.push((p.clone(), attr.ns.clone()));
            }
        }
        for (prefix, uri) in wanted {
            if uri == XML_NS || decls.iter().any(|(p, _)| *p == prefix) {
                continue;
            }
            if self.in_scope(&prefix).unwrap_or("") != uri {
                decls.push((prefix, uri));
            }
        }
        decls.sort();
        let mut attrs: Vec<_> = el.attrs.iter().collect();
        attrs.sort_by(|a, b| (&a.ns, &a.local).cmp(&(&b.ns, &b.local)));
        self.open(
            &qname,
            decls,
            attrs
                .into_iter()
                .map(|a| (qualified(a.prefix.as_deref(), &a.local), a.value.as_str())),
        );
        for child in &el.children {
            match child {
                Node::Element(e) => self.element(e),
                Node::Text(t) => self.text(t),
            }
        }
        self.end(&qname);
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

fn qualified(prefix: Option<&str>, local: &str) -> String {
    match prefix {
        Some(p) => format!("{p}:{local}"),
        None => local.to_owned(),
    }
}

/// C14N text node escaping.
pub(crate) fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

/// C14N attribute value escaping.
pub(crate) fn escape_attribute(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::dom::parse_str;

    fn canon(xml: &str) -> String {
        let mut w = CanonicalWriter::new();
        w.element(&parse_str(xml).unwrap());
        w.finish()
    }

    #[test]
    fn escapes_like_c14n() {
        let mut s = String::new();
        escape_text(&mut s, "a&b<c>d\re\"'");
        assert_eq!(s, "a&amp;b&lt;c&gt;d&#xD;e\"'");
        let mut s = String::new();
        escape_attribute(&mut s, "a&b<c>d\"e\t\n\r'");
        assert_eq!(s, "a&amp;b&lt;c>d&quot;e&#x9;&#xA;&#xD;'");
    }

    #[test]
    fn sorts_attributes_and_declarations_and_expands_empty_elements() {
        assert_eq!(
            canon(r#"<x:e xmlns:y="urn:y" xmlns:x="urn:x" b="2" y:a="3" a="1"><f/></x:e>"#),
            r#"<x:e xmlns:x="urn:x" xmlns:y="urn:y" a="1" b="2" y:a="3"><f></f></x:e>"#
        );
    }

    #[test]
    fn declarations_move_to_where_they_are_used() {
        assert_eq!(
            canon(r#"<e xmlns="urn:d" xmlns:u="urn:unused"><p:c xmlns:p="urn:p"><g/></p:c></e>"#),
            r#"<e xmlns="urn:d"><p:c xmlns:p="urn:p"><g></g></p:c></e>"#
        );
        assert_eq!(
            canon(r#"<e xmlns="urn:d"><c xmlns=""/></e>"#),
            r#"<e xmlns="urn:d"><c xmlns=""></c></e>"#
        );
    }

    #[test]
    fn writer_skips_redundant_declarations() {
        let mut w = CanonicalWriter::new();
        w.start(
            "a:r",
            &[("b", "urn:b"), ("a", "urn:a")],
            &[("z", "1"), ("y", "2")],
        );
        w.start("a:c", &[("a", "urn:a")], &[]);
        w.text("1 < 2");
        w.end("a:c");
        w.end("a:r");
        assert_eq!(
            w.finish(),
            r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b" y="2" z="1"><a:c>1 &lt; 2</a:c></a:r>"#
        );
    }
}
