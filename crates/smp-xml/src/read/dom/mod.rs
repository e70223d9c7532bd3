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

use std::sync::Arc;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Limit, XmlError};
use crate::read::options::ParseOptions;

mod limits;
mod namespaces;
mod text;

use limits::Counts;
use namespaces::{Namespaces, split_qname};
use text::{decode_attribute, is_ncname, is_xml_char, resolve_reference};

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
            if !is_ncname(p) {
                return Err(XmlError::malformed(format!(
                    "invalid namespace prefix {p:?} in {key}"
                )));
            }
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
mod tests;
