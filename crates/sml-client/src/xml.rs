//! Just enough XML for SOAP: escaping for the envelopes we write, and a small
//! namespace-resolving element tree for the answers we read.
//!
//! Answers come from a server we authenticated, but they are still input: the tree refuses
//! DTDs and unknown entities, bounds nesting, and never panics.

use quick_xml::Reader;
use quick_xml::events::Event;

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// SOAP answers are a handful of levels deep; this bounds the parser's stack.
const MAX_DEPTH: usize = 64;

/// Escapes text content and attribute values (both quote characters included, so the result
/// is safe in either position).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Keeps a carriage return from being normalised away by the receiving parser.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `s` can be written into an XML 1.0 document at all.
pub(crate) fn is_xml_text(s: &str) -> bool {
    s.chars().all(is_xml_char)
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// An element: expanded name, unqualified attributes, children.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    /// Namespace URI, empty for none.
    pub(crate) ns: String,
    pub(crate) local: String,
    /// Unqualified attributes only (the SML schemas use no qualified ones).
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

#[derive(Debug, Clone)]
enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    pub(crate) fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The concatenated text children.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            if let Node::Text(t) = child {
                out.push_str(t);
            }
        }
        out
    }

    pub(crate) fn elements(&self) -> impl Iterator<Item = &Self> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub(crate) fn child(&self, ns: &str, local: &str) -> Option<&Self> {
        self.elements().find(|e| e.is(ns, local))
    }

    /// `{ns}local`, for messages.
    pub(crate) fn name(&self) -> String {
        if self.ns.is_empty() {
            self.local.clone()
        } else {
            format!("{{{}}}{}", self.ns, self.local)
        }
    }
}

type Scope = Vec<(Option<String>, String)>;

fn lookup<'a>(scopes: &'a [Scope], prefix: Option<&str>) -> Option<&'a str> {
    if prefix == Some("xml") {
        return Some(XML_NS);
    }
    scopes
        .iter()
        .rev()
        .flat_map(|s| s.iter().rev())
        .find(|(p, _)| p.as_deref() == prefix)
        .map(|(_, uri)| uri.as_str())
}

fn split_qname(name: &str) -> Result<(Option<&str>, &str), String> {
    match name.split_once(':') {
        None if !name.is_empty() => Ok((None, name)),
        Some((p, l)) if !p.is_empty() && !l.is_empty() && !l.contains(':') => Ok((Some(p), l)),
        _ => Err(format!("invalid qualified name {name:?}")),
    }
}

fn resolve_reference(name: &str) -> Result<char, String> {
    let num = if let Some(hex) = name.strip_prefix("#x") {
        Some(u32::from_str_radix(hex, 16).ok())
    } else {
        name.strip_prefix('#').map(|dec| dec.parse::<u32>().ok())
    };
    if let Some(num) = num {
        return num
            .and_then(char::from_u32)
            .filter(|c| is_xml_char(*c))
            .ok_or_else(|| format!("invalid character reference &{name};"));
    }
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => Err(format!("unknown entity reference &{name};")),
    }
}

fn decode_attribute(raw: &str) -> Result<String, String> {
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
                    .ok_or_else(|| "unterminated reference in attribute".to_owned())?;
                out.push(resolve_reference(&rest[..end])?);
                rest = &rest[end + 1..];
            }
            b'<' => return Err("'<' in attribute value".to_owned()),
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

/// Parses a UTF-8 document into its root element. Errors are plain messages: the caller
/// wraps them with the HTTP status.
pub(crate) fn parse(xml: &[u8]) -> Result<Element, String> {
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let text = std::str::from_utf8(xml).map_err(|e| format!("not UTF-8: {e}"))?;
    if let Some(bad) = text.chars().find(|c| !is_xml_char(*c)) {
        return Err(format!(
            "character U+{:04X} is not allowed in XML",
            u32::from(bad)
        ));
    }
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;

    let mut scopes: Vec<Scope> = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| format!("{e} (near byte {pos})"))?;
        match event {
            Event::Decl(decl) => {
                if let Some(enc) = decl.encoding() {
                    let enc = enc.map_err(|e| e.to_string())?;
                    if !enc.eq_ignore_ascii_case("utf-8") {
                        return Err(format!("encoding {enc:?} is not supported"));
                    }
                }
            }
            Event::DocType(_) => return Err("DOCTYPE declarations are not accepted".to_owned()),
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err("content after the root element".to_owned());
            }
            ev @ (Event::Start(_) | Event::Empty(_)) => {
                let is_empty = matches!(ev, Event::Empty(_));
                let (Event::Start(start) | Event::Empty(start)) = ev else {
                    continue;
                };
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("elements nested deeper than {MAX_DEPTH} levels"));
                }
                let mut scope: Scope = Vec::new();
                let mut attrs = Vec::new();
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| e.to_string())?;
                    let key = attr.key.0;
                    let value = decode_attribute(&attr.value)?;
                    if key == "xmlns" {
                        scope.push((None, value));
                    } else if let Some(p) = key.strip_prefix("xmlns:") {
                        scope.push((Some(p.to_owned()), value));
                    } else if !key.contains(':') {
                        attrs.push((key.to_owned(), value));
                    }
                }
                scopes.push(scope);
                let qname = start.name().0.to_owned();
                let (prefix, local) = split_qname(&qname)?;
                let ns = match (lookup(&scopes, prefix), prefix) {
                    (Some(uri), _) => uri.to_owned(),
                    (None, None) => String::new(),
                    (None, Some(p)) => return Err(format!("undeclared namespace prefix {p:?}")),
                };
                stack.push(Element {
                    ns,
                    local: local.to_owned(),
                    attrs,
                    children: Vec::new(),
                });
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
        return Err("document ends inside an element".to_owned());
    }
    root.ok_or_else(|| "no root element".to_owned())
}

fn close(stack: &mut Vec<Element>, scopes: &mut Vec<Scope>, root: &mut Option<Element>) {
    scopes.pop();
    if let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => parent.children.push(Node::Element(done)),
            None => *root = Some(done),
        }
    }
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(open) => {
            if let Some(Node::Text(prev)) = open.children.last_mut() {
                prev.push_str(text);
            } else if !text.is_empty() {
                open.children.push(Node::Text(text.to_owned()));
            }
            Ok(())
        }
        None if text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) => Ok(()),
        None => Err("text outside the root element".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_markup_relevant() {
        assert_eq!(escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\r\ny"), "x&#13;\ny");
    }

    #[test]
    fn parses_namespaces_text_and_references() {
        let root = parse(
            br#"<?xml version="1.0" encoding="UTF-8"?><a:r xmlns:a="urn:a" xmlns="urn:d" x="1&amp;"><c>t&lt;&#x41;<![CDATA[<]]></c></a:r>"#,
        )
        .unwrap();
        assert!(root.is("urn:a", "r"));
        assert_eq!(root.attr("x"), Some("1&"));
        let c = root.child("urn:d", "c").unwrap();
        assert_eq!(c.text(), "t<A<");
        assert_eq!(c.name(), "{urn:d}c");
    }

    #[test]
    fn refuses_bad_documents() {
        for doc in [
            "<r>&foo;</r>",
            "<!DOCTYPE r><r/>",
            "<p:r/>",
            "<r></s>",
            "<r/><r/>",
            "<r/>x",
            "",
            "<r>",
            "<r>&#0;</r>",
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r/>",
        ] {
            assert!(parse(doc.as_bytes()).is_err(), "{doc}");
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(parse(deep.as_bytes()).is_err());
        assert!(parse(b"\xff\xfe").is_err());
    }
}
