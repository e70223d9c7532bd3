//! A small, strict, namespace-resolving element tree built from quick-xml events.
//!
//! The schema readers walk this tree instead of the event stream so that ordering rules,
//! error paths and the canonical re-serialisation of `<Extension>` content can share one
//! representation. Comments and processing instructions are dropped here.
//!
//! It is public for the other XML Ferry reads (the SML's SOAP answers): one hardened reader
//! (no DTDs, no custom entities, UTF-8 only, bounded size, nesting, element and attribute
//! counts and namespace use, see [`ParseOptions`]) instead of several. Memory stays
//! proportional to the input: namespace URIs and names are shared, and every lookup and
//! duplicate check is a hash probe or a sort, never a scan of everything in scope.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Limit, XmlError};
use crate::read::options::ParseOptions;

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// An element with its expanded name, the prefix it was written with and its content.
///
/// Namespace URIs and names are shared (`Arc<str>`, one allocation per distinct string in
/// a document), so a long URI declared once and used by many elements or attributes costs
/// its length once, as it does in the input, and copying a subtree copies no names.
#[derive(Debug, Clone)]
pub struct Element {
    /// Namespace URI, empty for no namespace.
    pub(crate) ns: Arc<str>,
    pub(crate) local: Arc<str>,
    pub(crate) prefix: Option<Arc<str>>,
    /// Ordinary attributes (namespace declarations are in `decls`).
    pub(crate) attrs: Vec<Attribute>,
    /// The namespace declarations written on this element, in document order: (prefix,
    /// `""` for the default namespace; URI, `""` to undeclare the default namespace).
    pub(crate) decls: Vec<(String, Arc<str>)>,
    pub(crate) children: Vec<Node>,
}

/// An ordinary (non-`xmlns`) attribute.
#[derive(Debug, Clone)]
pub(crate) struct Attribute {
    /// Namespace URI, empty for unqualified attributes.
    pub(crate) ns: Arc<str>,
    pub(crate) local: Arc<str>,
    pub(crate) prefix: Option<Arc<str>>,
    pub(crate) value: String,
}

/// Element content.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// Namespace URI, empty for no namespace.
    pub fn ns(&self) -> &str {
        &self.ns
    }

    /// Local name.
    pub fn local_name(&self) -> &str {
        &self.local
    }

    /// Whether this is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        *self.ns == *ns && *self.local == *local
    }

    /// The unqualified attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_empty() && *a.local == *name)
            .map(|a| a.value.as_str())
    }

    /// Concatenated text content (child elements are ignored by the callers, which check
    /// for them separately).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            if let Node::Text(t) = child {
                out.push_str(t);
            }
        }
        out
    }

    /// The child elements, in document order.
    pub fn child_elements(&self) -> impl Iterator<Item = &Self> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element `{ns}local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Self> {
        self.child_elements().find(|e| e.is(ns, local))
    }

    /// `{ns}local` (or `local` without a namespace), for messages.
    pub fn display_name(&self) -> String {
        if self.ns.is_empty() {
            self.local.to_string()
        } else {
            format!("{{{}}}{}", self.ns, self.local)
        }
    }
}

/// The namespace bindings in scope while parsing, and the document's string table.
///
/// Lookups are one hash probe whatever the nesting or the number of declarations; each
/// element's own declarations are popped again when it closes.
struct Namespaces {
    /// Every distinct namespace URI, local name and prefix of the document, stored once.
    strings: HashSet<Arc<str>>,
    /// Per prefix (`""` for the default namespace), its bindings from outermost to
    /// innermost.
    bound: HashMap<String, Vec<Arc<str>>>,
    empty: Arc<str>,
    xml: Arc<str>,
    /// Declarations read so far.
    declarations: usize,
    /// Prefixes (and the default namespace) currently bound.
    in_scope: usize,
}

impl Namespaces {
    fn new() -> Self {
        let empty: Arc<str> = Arc::from("");
        let xml: Arc<str> = Arc::from(XML_NS);
        Self {
            strings: [empty.clone(), xml.clone()].into_iter().collect(),
            bound: HashMap::new(),
            empty,
            xml,
            declarations: 0,
            in_scope: 0,
        }
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(shared) = self.strings.get(s) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(s);
        self.strings.insert(shared.clone());
        shared
    }

    /// The URI bound to `prefix` (`""` = default namespace), if any.
    fn resolve(&self, prefix: &str) -> Option<&Arc<str>> {
        if prefix == "xml" {
            return Some(&self.xml);
        }
        self.bound.get(prefix).and_then(|stack| stack.last())
    }

    fn push(&mut self, decls: &[(String, Arc<str>)]) {
        for (prefix, uri) in decls {
            let stack = match self.bound.get_mut(prefix.as_str()) {
                Some(stack) => stack,
                None => self.bound.entry(prefix.clone()).or_default(),
            };
            if stack.is_empty() {
                self.in_scope += 1;
            }
            stack.push(uri.clone());
        }
    }

    fn pop(&mut self, decls: &[(String, Arc<str>)]) {
        for (prefix, _) in decls {
            if let Some(stack) = self.bound.get_mut(prefix.as_str()) {
                stack.pop();
                if stack.is_empty() {
                    self.in_scope -= 1;
                }
            }
        }
    }
}

fn split_qname(name: &str) -> Result<(Option<&str>, &str), XmlError> {
    match name.split_once(':') {
        None if !name.is_empty() => Ok((None, name)),
        Some((p, l)) if !p.is_empty() && !l.is_empty() && !l.contains(':') => Ok((Some(p), l)),
        _ => Err(XmlError::malformed(format!(
            "invalid qualified name {name:?}"
        ))),
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Resolves one entity or character reference name (without `&` and `;`).
fn resolve_reference(name: &str) -> Result<char, XmlError> {
    let num = if let Some(hex) = name.strip_prefix("#x") {
        Some(u32::from_str_radix(hex, 16).ok())
    } else {
        name.strip_prefix('#').map(|dec| dec.parse::<u32>().ok())
    };
    if let Some(num) = num {
        return num
            .and_then(char::from_u32)
            .filter(|c| is_xml_char(*c))
            .ok_or_else(|| XmlError::malformed(format!("invalid character reference &{name};")));
    }
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => Err(XmlError::DtdForbidden {
            detail: format!("entity reference &{name};"),
        }),
    }
}

/// Attribute-value normalisation (XML 1.0 §3.3.3 for CDATA attributes) plus reference
/// resolution; only the predefined entities and character references are accepted.
fn decode_attribute(raw: &str) -> Result<String, XmlError> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '\t', '\n', '\r', '<']) {
        out.push_str(&rest[..i]);
        let c = rest.as_bytes()[i];
        rest = &rest[i + 1..];
        match c {
            b'&' => {
                let end = rest
                    .find(';')
                    .ok_or_else(|| XmlError::malformed("unterminated reference in attribute"))?;
                out.push(resolve_reference(&rest[..end])?);
                rest = &rest[end + 1..];
            }
            b'<' => return Err(XmlError::malformed("'<' in attribute value")),
            b'\r' => {
                out.push(' ');
                rest = rest.strip_prefix('\n').unwrap_or(rest);
            }
            _ => out.push(' '),
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses `xml` into its root element, enforcing size, encoding, DTD, namespace and
/// structural limits (see [`ParseOptions`]).
///
/// # Errors
///
/// [`XmlError::TooLarge`], [`XmlError::LimitExceeded`], [`XmlError::DtdForbidden`] or a
/// malformed-document error.
pub fn parse_document(xml: &[u8], opts: &ParseOptions) -> Result<Element, XmlError> {
    if xml.len() > opts.max_bytes {
        return Err(XmlError::TooLarge {
            size: xml.len(),
            limit: opts.max_bytes,
        });
    }
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let text = std::str::from_utf8(xml)
        .map_err(|e| XmlError::malformed(format!("input is not UTF-8: {e}")))?;
    parse_text(text, opts)
}

/// Parses a well-formed fragment holding exactly one element (used for `Extension`) with
/// the default limits.
pub(crate) fn parse_str(text: &str) -> Result<Element, XmlError> {
    parse_text(text, &ParseOptions::default())
}

/// Running totals checked against the [`ParseOptions`] limits.
struct Counts<'o> {
    opts: &'o ParseOptions,
    elements: usize,
    attributes: usize,
    /// Namespace bindings in scope, summed over the elements so far.
    scope: usize,
}

impl Counts<'_> {
    fn element(&mut self) -> Result<(), XmlError> {
        self.elements += 1;
        if self.elements > self.opts.max_elements {
            return Err(XmlError::limit(Limit::Elements, self.opts.max_elements));
        }
        Ok(())
    }

    fn scope(&mut self, in_scope: usize) -> Result<(), XmlError> {
        self.scope = self.scope.saturating_add(in_scope);
        if self.scope > self.opts.max_namespace_scope {
            return Err(XmlError::limit(
                Limit::NamespaceScope,
                self.opts.max_namespace_scope,
            ));
        }
        Ok(())
    }

    fn attribute(&mut self, on_element: usize) -> Result<(), XmlError> {
        if on_element > self.opts.max_element_attributes {
            return Err(XmlError::limit(
                Limit::ElementAttributes,
                self.opts.max_element_attributes,
            ));
        }
        self.attributes += 1;
        if self.attributes > self.opts.max_attributes {
            return Err(XmlError::limit(Limit::Attributes, self.opts.max_attributes));
        }
        Ok(())
    }
}

fn parse_text(text: &str, opts: &ParseOptions) -> Result<Element, XmlError> {
    if let Some(bad) = text.chars().find(|c| !is_xml_char(*c)) {
        return Err(XmlError::malformed(format!(
            "character U+{:04X} is not allowed in XML",
            u32::from(bad)
        )));
    }
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.expand_empty_elements = false;

    let mut namespaces = Namespaces::new();
    let mut counts = Counts {
        opts,
        elements: 0,
        attributes: 0,
        scope: 0,
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;

    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| XmlError::malformed(format!("{e} (near byte {pos})")))?;
        match event {
            Event::Decl(decl) => {
                if let Some(enc) = decl.encoding() {
                    let enc = enc.map_err(|e| XmlError::malformed(e.to_string()))?;
                    if !enc.eq_ignore_ascii_case("utf-8") {
                        return Err(XmlError::malformed(format!(
                            "encoding {enc:?} is not supported, use UTF-8"
                        )));
                    }
                }
            }
            Event::DocType(_) => {
                return Err(XmlError::DtdForbidden {
                    detail: "DOCTYPE declaration".to_owned(),
                });
            }
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let name = start.name().0.to_owned();
                return Err(XmlError::malformed(format!(
                    "element <{name}> after the root element"
                )));
            }
            ev @ (Event::Start(_) | Event::Empty(_)) => {
                let is_empty = matches!(ev, Event::Empty(_));
                let (Event::Start(start) | Event::Empty(start)) = ev else {
                    continue;
                };
                if stack.len() >= opts.max_depth {
                    return Err(XmlError::limit(Limit::Depth, opts.max_depth));
                }
                counts.element()?;
                let element = open_element(&start, &mut namespaces, &mut counts)?;
                stack.push(element);
                if is_empty {
                    close(&mut stack, &mut namespaces, &mut root);
                }
            }
            Event::End(_) => close(&mut stack, &mut namespaces, &mut root),
            Event::Text(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::CData(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                let c = resolve_reference(&name)?;
                push_text(&mut stack, c.encode_utf8(&mut [0u8; 4]))?;
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::malformed("document ends inside an element"));
    }
    root.ok_or_else(|| XmlError::malformed("document has no root element"))
}

/// Builds the element for a start tag: its declarations go in scope, its names and
/// attributes are resolved, and duplicates are refused.
fn open_element(
    start: &BytesStart<'_>,
    namespaces: &mut Namespaces,
    counts: &mut Counts<'_>,
) -> Result<Element, XmlError> {
    let opts = counts.opts;
    let mut decls: Vec<(String, Arc<str>)> = Vec::new();
    let mut raw_attrs: Vec<(String, String)> = Vec::new();
    for (i, attr) in start.attributes().enumerate() {
        counts.attribute(i + 1)?;
        let attr = attr.map_err(|e| XmlError::malformed(e.to_string()))?;
        let key = attr.key.0;
        let value = decode_attribute(&attr.value)?;
        let prefix = if key == "xmlns" {
            ""
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            if value.is_empty() {
                return Err(XmlError::malformed(format!(
                    "prefix {p:?} cannot be undeclared in XML 1.0"
                )));
            }
            p
        } else {
            raw_attrs.push((key.to_owned(), value));
            continue;
        };
        // Namespaces in XML 1.0 §3: `xmlns` is never declared, `xml` only to its own URI,
        // and neither URI is bound to any other prefix.
        let reserved = match prefix {
            "xmlns" => true,
            "xml" => value != XML_NS,
            _ => value == XML_NS || value == XMLNS_NS,
        };
        if reserved {
            return Err(XmlError::malformed(format!(
                "reserved namespace binding {key}=\"{value}\""
            )));
        }
        if value.len() > opts.max_namespace_uri_bytes {
            return Err(XmlError::limit(
                Limit::NamespaceUri,
                opts.max_namespace_uri_bytes,
            ));
        }
        namespaces.declarations += 1;
        if namespaces.declarations > opts.max_namespace_declarations {
            return Err(XmlError::limit(
                Limit::NamespaceDeclarations,
                opts.max_namespace_declarations,
            ));
        }
        let uri = namespaces.intern(&value);
        decls.push((prefix.to_owned(), uri));
    }
    // quick-xml refuses repeated attribute names, so a prefix is declared at most once here.
    namespaces.push(&decls);
    counts.scope(namespaces.in_scope)?;
    let (ns, local, prefix, attrs) = resolve_names(start.name().0, raw_attrs, namespaces)?;
    Ok(Element {
        ns,
        local,
        prefix,
        attrs,
        decls,
        children: Vec::new(),
    })
}

type Resolved = (Arc<str>, Arc<str>, Option<Arc<str>>, Vec<Attribute>);

fn resolve_names(
    qname: &str,
    raw_attrs: Vec<(String, String)>,
    namespaces: &mut Namespaces,
) -> Result<Resolved, XmlError> {
    let (prefix, local) = split_qname(qname)?;
    let ns = match namespaces.resolve(prefix.unwrap_or("")) {
        Some(uri) => uri.clone(),
        None if prefix.is_none() => namespaces.empty.clone(),
        None => {
            return Err(XmlError::malformed(format!(
                "undeclared namespace prefix in <{qname}>"
            )));
        }
    };
    let mut attrs: Vec<Attribute> = Vec::with_capacity(raw_attrs.len());
    for (key, value) in raw_attrs {
        let (aprefix, alocal) = split_qname(&key)?;
        let ans = match aprefix {
            None => namespaces.empty.clone(),
            Some(p) => namespaces
                .resolve(p)
                .filter(|u| !u.is_empty())
                .ok_or_else(|| {
                    XmlError::malformed(format!("undeclared namespace prefix in attribute {key}"))
                })?
                .clone(),
        };
        attrs.push(Attribute {
            ns: ans,
            local: namespaces.intern(alocal),
            prefix: aprefix.map(|p| namespaces.intern(p)),
            value,
        });
    }
    // Two prefixes bound to one URI make `a:x` and `b:x` the same attribute. Sorting the
    // expanded names finds that in O(n log n).
    if attrs.len() > 1 {
        let mut names: Vec<(&str, &str)> = attrs.iter().map(|a| (&*a.ns, &*a.local)).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
            let (ans, alocal) = pair[0];
            let name = if ans.is_empty() {
                alocal.to_owned()
            } else {
                format!("{{{ans}}}{alocal}")
            };
            return Err(XmlError::malformed(format!(
                "duplicate attribute {name} on <{qname}>"
            )));
        }
    }
    let local = namespaces.intern(local);
    let prefix = prefix.map(|p| namespaces.intern(p));
    Ok((ns, local, prefix, attrs))
}

fn close(stack: &mut Vec<Element>, namespaces: &mut Namespaces, root: &mut Option<Element>) {
    if let Some(mut element) = stack.pop() {
        namespaces.pop(&element.decls);
        element.children.shrink_to_fit();
        match stack.last_mut() {
            Some(parent) => parent.children.push(Node::Element(element)),
            None => *root = Some(element),
        }
    }
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(element) => {
            if let Some(Node::Text(prev)) = element.children.last_mut() {
                prev.push_str(text);
            } else if !text.is_empty() {
                element.children.push(Node::Text(text.to_owned()));
            }
            Ok(())
        }
        None if text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) => Ok(()),
        None => Err(XmlError::malformed("text outside the root element")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_namespaces_and_references() {
        let root = parse_str(
            r#"<a:r xmlns:a="urn:a" xmlns="urn:d" x="1&#10;&amp;"><c a:y="z">t&lt;&#x41;<![CDATA[<]]></c></a:r>"#,
        )
        .unwrap();
        assert_eq!(root.ns(), "urn:a");
        assert_eq!(root.attr("x"), Some("1\n&"));
        let c = root.child_elements().next().unwrap();
        assert_eq!(c.ns(), "urn:d");
        assert_eq!(&*c.attrs[0].ns, "urn:a");
        // One allocation per distinct URI.
        assert!(Arc::ptr_eq(&root.ns, &c.attrs[0].ns));
        assert_eq!(c.text(), "t<A<");
    }

    #[test]
    fn attribute_whitespace_is_normalised() {
        let root = parse_str("<r x=\"a\r\nb\tc\"/>").unwrap();
        assert_eq!(root.attr("x"), Some("a b c"));
    }

    #[test]
    fn refuses_bad_documents() {
        for (doc, code) in [
            ("<r>&foo;</r>", "xml.dtd_forbidden"),
            ("<r x='&foo;'/>", "xml.dtd_forbidden"),
            ("<!DOCTYPE r><r/>", "xml.dtd_forbidden"),
            ("<p:r/>", "xml.malformed"),
            ("<r></s>", "xml.malformed"),
            ("<r/><r/>", "xml.malformed"),
            ("<r/>x", "xml.malformed"),
            ("", "xml.malformed"),
            ("<r a='1' a='2'/>", "xml.malformed"),
            ("<r>&#0;</r>", "xml.malformed"),
        ] {
            let err = parse_str(doc).unwrap_err();
            assert_eq!(err.code(), code, "{doc}");
        }
    }

    #[test]
    fn refuses_bad_namespace_use() {
        for doc in [
            // The same expanded attribute name through two prefixes.
            "<r xmlns:a='urn:u' xmlns:b='urn:u' a:x='1' b:x='2'/>",
            "<r xmlns:p='urn:u' xmlns:p='urn:v'/>",
            "<r xmlns:p='http://www.w3.org/XML/1998/namespace'/>",
            "<r xmlns='http://www.w3.org/2000/xmlns/'/>",
            "<r xmlns:xml='urn:x'/>",
            "<r xmlns:p=''/>",
            "<r><p:c xmlns:p='urn:p'/><p:c/></r>",
        ] {
            assert_eq!(parse_str(doc).unwrap_err().code(), "xml.malformed", "{doc}");
        }
        // Declaring xml to its own URI is allowed, and a prefix may be rebound below.
        let root =
            parse_str("<p:r xmlns:xml='http://www.w3.org/XML/1998/namespace' xmlns:p='urn:1'><p:c xmlns:p='urn:2'/><p:c/></p:r>")
                .unwrap();
        let uris: Vec<&str> = root.child_elements().map(Element::ns).collect();
        assert_eq!(uris, ["urn:2", "urn:1"]);
    }

    fn code_with(doc: &str, opts: &ParseOptions) -> &'static str {
        parse_text(doc, opts).unwrap_err().code()
    }

    #[test]
    fn limits_refuse_with_their_code_and_allow_the_maximum() {
        let opts = ParseOptions {
            max_depth: 3,
            max_elements: 4,
            max_element_attributes: 3,
            max_attributes: 5,
            max_namespace_uri_bytes: 5,
            max_namespace_declarations: 2,
            max_namespace_scope: 6,
            ..ParseOptions::default()
        };
        // 6 bindings in scope summed over a (1), b (2), c (2) and d (1).
        let ok = "<a xmlns:p='urn:1' x='1'><b xmlns='urn:2'><c/></b><d p:y='1' z='2'/></a>";
        parse_text(ok, &opts).unwrap();
        for (doc, code) in [
            ("<a><b><c><d/></c></b></a>", "xml.limit.depth"),
            ("<a><b/><b/><b/><b/></a>", "xml.limit.elements"),
            (
                "<a w='1' x='1' y='1' z='1'/>",
                "xml.limit.element_attributes",
            ),
            (
                "<a xmlns:p='u' x='1' y='1' z='1'/>",
                "xml.limit.element_attributes",
            ),
            (
                "<a x='1' y='1'><b x='1' y='1'/><b x='1' y='1'/></a>",
                "xml.limit.attributes",
            ),
            ("<a xmlns='urn:12'/>", "xml.limit.namespace_uri"),
            (
                "<a xmlns:p='u'><b xmlns:q='u'/><c xmlns='u'/></a>",
                "xml.limit.namespace_declarations",
            ),
        ] {
            assert_eq!(code_with(doc, &opts), code, "{doc}");
        }
    }

    /// With the attribute limits lifted, 50,000 attributes on one element are checked for
    /// duplicates by sorting, not by comparing every pair.
    #[test]
    fn duplicate_attribute_check_is_not_quadratic() {
        let opts = ParseOptions {
            max_element_attributes: usize::MAX,
            max_attributes: usize::MAX,
            ..ParseOptions::default()
        };
        let attrs: String = (0..50_000).map(|i| format!(" a{i}='1'")).collect();
        let root = parse_text(
            &format!("<r xmlns:p='urn:p' xmlns:q='urn:p'{attrs}/>"),
            &opts,
        )
        .unwrap();
        assert_eq!(root.attrs.len(), 50_000);
        let doc = format!("<r xmlns:p='urn:p' xmlns:q='urn:p'{attrs} p:z='1' q:z='2'/>");
        assert_eq!(code_with(&doc, &opts), "xml.malformed");
    }

    /// 20,000 prefixes declared on the root and used by 20,000 children: one hash probe per
    /// name, not a walk over every declaration in scope.
    #[test]
    fn namespace_lookup_is_not_quadratic() {
        let opts = ParseOptions {
            max_namespace_declarations: usize::MAX,
            max_namespace_scope: usize::MAX,
            max_attributes: usize::MAX,
            max_element_attributes: usize::MAX,
            ..ParseOptions::default()
        };
        let decls: String = (0..20_000)
            .map(|i| format!(" xmlns:p{i}='urn:{i}'"))
            .collect();
        let children = "<p0:c p1:a=''/>".repeat(20_000);
        let root = parse_text(&format!("<r{decls}>{children}</r>"), &opts).unwrap();
        assert_eq!(root.child_elements().count(), 20_000);
        assert!(root.child_elements().all(|c| c.ns() == "urn:0"));
    }

    #[test]
    fn refuses_deep_nesting() {
        let max = ParseOptions::default().max_depth;
        let ok = "<a>".repeat(max) + &"</a>".repeat(max);
        parse_str(&ok).unwrap();
        let doc = "<a>".repeat(max + 1) + &"</a>".repeat(max + 1);
        assert_eq!(parse_str(&doc).unwrap_err().code(), "xml.limit.depth");
    }
}
