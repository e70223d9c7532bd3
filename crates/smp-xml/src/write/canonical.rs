//! Output in Canonical XML 1.0 form (inclusive, without comments).
//!
//! Everything this crate writes goes through here, so the bytes after the XML declaration
//! are already canonical: a verifier recomputes exactly the digest we signed. That needs
//! our own escaping (C14N §2.3 rules, not quick-xml's), sorted namespace declarations and
//! attributes, explicit end tags, and no redundant namespace declarations.
//!
//! Foreign content (`<Extension>`) keeps its namespace declarations where its source put
//! them, as inclusive C14N does, so a declaration is written at most once per declaration
//! in the input and the output stays proportional to the input. Declarations that nothing
//! in their scope uses are dropped, and the bindings the content inherits from outside are
//! declared on its top element.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::read::dom::{Element, Node};

/// Builds canonical XML text, tracking which namespace bindings are already rendered by
/// output ancestors.
#[derive(Debug)]
pub(crate) struct CanonicalWriter {
    out: String,
    /// Bindings rendered by the open elements: prefix ("" for default) → URIs, innermost
    /// last. One hash probe per lookup, however many declarations are in scope.
    scope: HashMap<String, Vec<Arc<str>>>,
    /// Per open element: the prefixes it rendered, taken out of `scope` at its end tag.
    opened: Vec<Vec<String>>,
    /// Once the output passes this many bytes it is discarded and `exceeded` is set.
    limit: usize,
    exceeded: bool,
}

impl Default for CanonicalWriter {
    fn default() -> Self {
        Self::bounded(usize::MAX)
    }
}

impl CanonicalWriter {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A writer that gives up (see [`Self::finish_within`]) once its output would pass
    /// `limit` bytes, holding at most one element's worth of text beyond it.
    pub(crate) fn bounded(limit: usize) -> Self {
        Self {
            out: String::new(),
            scope: HashMap::new(),
            opened: Vec::new(),
            limit,
            exceeded: false,
        }
    }

    /// A writer whose output continues inside an element that already rendered `decls`
    /// (prefix, URI).
    pub(crate) fn with_context(decls: &[(&str, &str)]) -> Self {
        let mut w = Self::new();
        for (prefix, uri) in decls {
            w.scope
                .entry((*prefix).to_owned())
                .or_default()
                .push(Arc::from(*uri));
        }
        w
    }

    /// The URI rendered for `prefix` by the nearest output ancestor ("" if none).
    fn in_scope(&self, prefix: &str) -> &str {
        self.scope
            .get(prefix)
            .and_then(|uris| uris.last())
            .map_or("", |uri| &**uri)
    }

    /// Opens `qname`, declaring `decls` (prefix, URI; "" prefix = default namespace) unless
    /// an ancestor already rendered the same binding, and writing unqualified `attrs`.
    pub(crate) fn start(&mut self, qname: &str, decls: &[(&str, &str)], attrs: &[(&str, &str)]) {
        let mut needed: Vec<(String, Arc<str>)> = decls
            .iter()
            .filter(|(p, uri)| self.in_scope(p) != *uri)
            .map(|(p, uri)| ((*p).to_owned(), Arc::from(*uri)))
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
        decls: Vec<(String, Arc<str>)>,
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
        let mut prefixes = Vec::with_capacity(decls.len());
        for (prefix, uri) in decls {
            self.scope.entry(prefix.clone()).or_default().push(uri);
            prefixes.push(prefix);
        }
        self.opened.push(prefixes);
        self.check_limit();
    }

    pub(crate) fn end(&mut self, qname: &str) {
        for prefix in self.opened.pop().unwrap_or_default() {
            if let Some(uris) = self.scope.get_mut(&prefix) {
                uris.pop();
            }
        }
        self.out.push_str("</");
        self.out.push_str(qname);
        self.out.push('>');
        self.check_limit();
    }

    pub(crate) fn text(&mut self, text: &str) {
        escape_text(&mut self.out, text);
        self.check_limit();
    }

    fn check_limit(&mut self) {
        if self.out.len() > self.limit {
            self.exceeded = true;
            self.out = String::new();
        }
    }

    /// `<qname attrs>text</qname>`.
    pub(crate) fn leaf(&mut self, qname: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(qname, &[], attrs);
        self.text(text);
        self.end(qname);
    }

    /// Writes a foreign element (extension content). Namespace declarations stay on the
    /// elements that carry them in the source, minus those nothing in their scope uses
    /// and those an output ancestor already rendered; `el` itself also declares the
    /// bindings its subtree uses but inherited from outside it.
    pub(crate) fn element(&mut self, el: &Element) {
        let uses = DeclarationUse::of(el);
        let mut next = 0;
        self.foreign(el, &uses, &mut next, Some(&uses.inherited));
    }

    fn foreign(
        &mut self,
        el: &Element,
        uses: &DeclarationUse,
        next: &mut usize,
        inherited: Option<&BTreeMap<String, Arc<str>>>,
    ) {
        let qname = qualified(el.prefix.as_deref(), &el.local);
        let mut decls: Vec<(String, Arc<str>)> = inherited
            .into_iter()
            .flatten()
            .map(|(p, uri)| (p.clone(), uri.clone()))
            .collect();
        for decl in &el.decls {
            if uses.live.get(*next).copied().unwrap_or(false) {
                decls.push(decl.clone());
            }
            *next += 1;
        }
        decls.retain(|(p, uri)| self.in_scope(p) != &**uri);
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
                Node::Element(e) => self.foreign(e, uses, next, None),
                Node::Text(t) => self.text(t),
            }
        }
        self.end(&qname);
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// The output, or `None` if it passed the limit given to [`Self::bounded`].
    pub(crate) fn finish_within(self) -> Option<String> {
        (!self.exceeded).then_some(self.out)
    }
}

/// Which namespace declarations of a foreign subtree its names use, found in one pass
/// before the subtree is written.
#[derive(Debug, Default)]
struct DeclarationUse {
    /// Per declaration in the subtree, in document order: whether an element or
    /// attribute name in its scope uses it.
    live: Vec<bool>,
    /// Bindings used in the subtree but declared outside it: prefix → URI.
    inherited: BTreeMap<String, Arc<str>>,
}

impl DeclarationUse {
    fn of(el: &Element) -> Self {
        let mut uses = Self::default();
        uses.visit(el, &mut HashMap::new());
        uses
    }

    /// `scope`: prefix → indexes into `live` of the declarations in scope, innermost last.
    fn visit<'e>(&mut self, el: &'e Element, scope: &mut HashMap<&'e str, Vec<usize>>) {
        for (prefix, _) in &el.decls {
            scope
                .entry(prefix.as_str())
                .or_default()
                .push(self.live.len());
            self.live.push(false);
        }
        self.mark(scope, el.prefix.as_deref().unwrap_or(""), &el.ns);
        for attr in &el.attrs {
            if let Some(prefix) = &attr.prefix {
                self.mark(scope, prefix, &attr.ns);
            }
        }
        for child in el.child_elements() {
            self.visit(child, scope);
        }
        for (prefix, _) in &el.decls {
            if let Some(indexes) = scope.get_mut(prefix.as_str()) {
                indexes.pop();
            }
        }
    }

    fn mark(&mut self, scope: &HashMap<&str, Vec<usize>>, prefix: &str, uri: &Arc<str>) {
        if prefix == "xml" {
            return;
        }
        match scope.get(prefix).and_then(|indexes| indexes.last()) {
            Some(&i) => self.live[i] = true,
            None => {
                self.inherited
                    .entry(prefix.to_owned())
                    .or_insert_with(|| uri.clone());
            }
        }
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
    fn declarations_stay_where_the_source_put_them_unless_unused() {
        assert_eq!(
            canon(r#"<e xmlns="urn:d" xmlns:u="urn:unused"><p:c xmlns:p="urn:p"><g/></p:c></e>"#),
            r#"<e xmlns="urn:d"><p:c xmlns:p="urn:p"><g></g></p:c></e>"#
        );
        assert_eq!(
            canon(r#"<e xmlns="urn:d"><c xmlns=""/></e>"#),
            r#"<e xmlns="urn:d"><c xmlns=""></c></e>"#
        );
        // Declared once for many users: written once, not on every child.
        assert_eq!(
            canon(r#"<e xmlns:p="urn:p"><p:c/><p:c p:a="1"/></e>"#),
            r#"<e xmlns:p="urn:p"><p:c></p:c><p:c p:a="1"></p:c></e>"#
        );
        // Rebinding below, and a redundant re-declaration that is dropped.
        assert_eq!(
            canon(r#"<p:e xmlns:p="urn:1"><p:c xmlns:p="urn:2"/><p:c xmlns:p="urn:1"/></p:e>"#),
            r#"<p:e xmlns:p="urn:1"><p:c xmlns:p="urn:2"></p:c><p:c></p:c></p:e>"#
        );
        // An unused outer declaration does not hide the binding a child needs.
        assert_eq!(
            canon(r#"<e xmlns:p="urn:1"><c xmlns:p="urn:2"><p:g/></c><p:g/></e>"#),
            r#"<e xmlns:p="urn:1"><c xmlns:p="urn:2"><p:g></p:g></c><p:g></p:g></e>"#
        );
        assert_eq!(
            canon(r#"<e xmlns:p="urn:1"><c xmlns:p="urn:2"><g/></c></e>"#),
            r#"<e><c><g></g></c></e>"#
        );
    }

    #[test]
    fn inherited_bindings_are_declared_on_the_top_element() {
        let doc = parse_str(
            r#"<r xmlns="urn:d" xmlns:p="urn:p" xmlns:q="urn:q"><x><p:c><y q:a="1"/></p:c></x></r>"#,
        )
        .unwrap();
        let x = doc.child_elements().next().unwrap();
        let mut w = CanonicalWriter::new();
        w.element(x);
        assert_eq!(
            w.finish(),
            r#"<x xmlns="urn:d" xmlns:p="urn:p" xmlns:q="urn:q"><p:c><y q:a="1"></y></p:c></x>"#
        );
        // Inside an element that already declares them, nothing is repeated.
        let mut w = CanonicalWriter::with_context(&[("", "urn:d"), ("p", "urn:p")]);
        w.element(x);
        assert_eq!(
            w.finish(),
            r#"<x xmlns:q="urn:q"><p:c><y q:a="1"></y></p:c></x>"#
        );
    }

    #[test]
    fn bounded_writer_gives_up_past_its_limit() {
        let el = parse_str(r#"<e xmlns:p="urn:p"><p:c>text</p:c></e>"#).unwrap();
        let mut w = CanonicalWriter::bounded(10);
        w.element(&el);
        assert_eq!(w.finish_within(), None);
        let mut w = CanonicalWriter::bounded(100);
        w.element(&el);
        assert!(w.finish_within().is_some());
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
