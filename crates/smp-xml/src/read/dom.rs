//! A small, strict, namespace-resolving element tree built from quick-xml events.
//!
//! The schema readers walk this tree instead of the event stream so that ordering rules,
//! error paths and the canonical re-serialisation of `<Extension>` content can share one
//! representation. Comments and processing instructions are dropped here.
//!
//! It is public for the other XML Ferry reads (the SML's SOAP answers): one hardened reader
//! (no DTDs, no custom entities, bounded size and nesting, UTF-8 only) instead of several.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::error::XmlError;
use crate::read::options::ParseOptions;

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// Nesting limit: SMP documents are about ten levels deep; this keeps recursion bounded.
const MAX_DEPTH: usize = 128;

/// An element with its expanded name, the prefix it was written with and its content.
#[derive(Debug, Clone)]
pub struct Element {
    /// Namespace URI, empty for no namespace.
    pub(crate) ns: String,
    pub(crate) local: String,
    pub(crate) prefix: Option<String>,
    /// Ordinary attributes (namespace declarations are resolved away).
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) children: Vec<Node>,
}

/// An ordinary (non-`xmlns`) attribute.
#[derive(Debug, Clone)]
pub(crate) struct Attribute {
    /// Namespace URI, empty for unqualified attributes.
    pub(crate) ns: String,
    pub(crate) local: String,
    pub(crate) prefix: Option<String>,
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
        self.ns == ns && self.local == local
    }

    /// The unqualified attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_empty() && a.local == name)
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
            self.local.clone()
        } else {
            format!("{{{}}}{}", self.ns, self.local)
        }
    }
}

/// One level of namespace bindings: (prefix or None for default, URI; empty URI undeclares
/// the default namespace).
type Scope = Vec<(Option<String>, String)>;

fn lookup<'a>(scopes: &'a [Scope], prefix: Option<&str>) -> Option<&'a str> {
    if prefix == Some("xml") {
        return Some(XML_NS);
    }
    for scope in scopes.iter().rev() {
        for (p, uri) in scope.iter().rev() {
            if p.as_deref() == prefix {
                return Some(uri.as_str());
            }
        }
    }
    None
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

struct Open {
    element: Element,
}

/// Parses `xml` into its root element, enforcing size, encoding, DTD and namespace rules.
///
/// # Errors
///
/// [`XmlError::TooLarge`], [`XmlError::DtdForbidden`] or a malformed-document error.
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
    parse_str(text)
}

/// Parses a well-formed fragment holding exactly one element (used for `Extension`).
pub(crate) fn parse_str(text: &str) -> Result<Element, XmlError> {
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

    let mut scopes: Vec<Scope> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
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
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::malformed(format!(
                        "elements nested deeper than {MAX_DEPTH} levels"
                    )));
                }
                let mut scope: Scope = Vec::new();
                let mut raw_attrs: Vec<(String, String)> = Vec::new();
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| XmlError::malformed(e.to_string()))?;
                    let key = attr.key.0;
                    let value = decode_attribute(&attr.value)?;
                    if key == "xmlns" {
                        scope.push((None, value));
                    } else if let Some(p) = key.strip_prefix("xmlns:") {
                        if value.is_empty() {
                            return Err(XmlError::malformed(format!(
                                "prefix {p:?} cannot be undeclared in XML 1.0"
                            )));
                        }
                        if p == "xmlns" || (p == "xml" && value != XML_NS) || value == XMLNS_NS {
                            return Err(XmlError::malformed(format!(
                                "reserved namespace binding xmlns:{p}"
                            )));
                        }
                        scope.push((Some(p.to_owned()), value));
                    } else {
                        raw_attrs.push((key.to_owned(), value));
                    }
                }
                scopes.push(scope);
                let qname = start.name().0.to_owned();
                let (prefix, local) = split_qname(&qname)?;
                let ns = lookup(&scopes, prefix)
                    .or(if prefix.is_none() { Some("") } else { None })
                    .ok_or_else(|| {
                        XmlError::malformed(format!("undeclared namespace prefix in <{qname}>"))
                    })?
                    .to_owned();
                let mut attrs: Vec<Attribute> = Vec::with_capacity(raw_attrs.len());
                for (key, value) in raw_attrs {
                    let (aprefix, alocal) = split_qname(&key)?;
                    let ans = match aprefix {
                        None => String::new(),
                        Some(_) => lookup(&scopes, aprefix)
                            .filter(|u| !u.is_empty())
                            .ok_or_else(|| {
                                XmlError::malformed(format!(
                                    "undeclared namespace prefix in attribute {key}"
                                ))
                            })?
                            .to_owned(),
                    };
                    if attrs.iter().any(|a| a.ns == ans && a.local == alocal) {
                        return Err(XmlError::malformed(format!(
                            "duplicate attribute {key} on <{qname}>"
                        )));
                    }
                    attrs.push(Attribute {
                        ns: ans,
                        local: alocal.to_owned(),
                        prefix: aprefix.map(str::to_owned),
                        value,
                    });
                }
                let element = Element {
                    ns,
                    local: local.to_owned(),
                    prefix: prefix.map(str::to_owned),
                    attrs,
                    children: Vec::new(),
                };
                stack.push(Open { element });
                if is_empty {
                    close(&mut stack, &mut scopes, &mut root);
                }
            }
            Event::End(_) => close(&mut stack, &mut scopes, &mut root),
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

fn close(stack: &mut Vec<Open>, scopes: &mut Vec<Scope>, root: &mut Option<Element>) {
    scopes.pop();
    if let Some(open) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => parent.element.children.push(Node::Element(open.element)),
            None => *root = Some(open.element),
        }
    }
}

fn push_text(stack: &mut [Open], text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(open) => {
            if let Some(Node::Text(prev)) = open.element.children.last_mut() {
                prev.push_str(text);
            } else if !text.is_empty() {
                open.element.children.push(Node::Text(text.to_owned()));
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
        assert_eq!(root.ns, "urn:a");
        assert_eq!(root.attr("x"), Some("1\n&"));
        let c = root.child_elements().next().unwrap();
        assert_eq!(c.ns, "urn:d");
        assert_eq!(c.attrs[0].ns, "urn:a");
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
    fn refuses_deep_nesting() {
        let doc = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert_eq!(parse_str(&doc).unwrap_err().code(), "xml.malformed");
    }
}
