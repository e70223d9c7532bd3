//! A small namespace-resolved element tree, enough to read SOAP requests.
//!
//! Own code on purpose (not `sml-client`'s): an independent reader is what makes the emulator
//! a real test of the client's serialisation.

use quick_xml::{
    events::Event,
    name::{Namespace, ResolveResult},
    reader::NsReader,
};

/// Deeper documents are refused: no SML request nests more than a handful of levels.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) ns: String,
    pub(crate) local: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<Self>,
    pub(crate) text: String,
}

impl Element {
    pub(crate) fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    /// The unprefixed attribute `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses `xml` into its root element. Errors are human-readable reasons.
pub(crate) fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("malformed XML: {e}"))?;
        let ns = match resolved {
            ResolveResult::Bound(Namespace(ns)) => ns.to_owned(),
            ResolveResult::Unbound => String::new(),
            ResolveResult::Unknown(p) => return Err(format!("undeclared namespace prefix {p:?}")),
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() {
                    return Err("content after the root element".to_owned());
                }
                if stack.len() >= MAX_DEPTH {
                    return Err("document nests too deeply".to_owned());
                }
                let mut attrs = Vec::new();
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| format!("malformed attribute: {e}"))?;
                    let key = attr.key.0;
                    if key == "xmlns" || key.starts_with("xmlns:") || key.contains(':') {
                        continue;
                    }
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| format!("malformed attribute value: {e}"))?;
                    attrs.push((key.to_owned(), value.into_owned()));
                }
                let element = Element {
                    ns,
                    local: start.local_name().as_ref().to_owned(),
                    attrs,
                    children: Vec::new(),
                    text: String::new(),
                };
                if matches!(event, Event::Empty(_)) {
                    attach(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let element = stack.pop().ok_or("unbalanced end tag")?;
                attach(&mut stack, &mut root, element);
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::CData(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                let c = resolve_reference(&name)?;
                push_text(&mut stack, c.encode_utf8(&mut [0u8; 4]))?;
            }
            Event::DocType(_) => return Err("DTDs are not accepted".to_owned()),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err("document ends inside an element".to_owned());
    }
    root.ok_or_else(|| "document has no root element".to_owned())
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(open) => {
            open.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err("text outside the root element".to_owned()),
    }
}

fn resolve_reference(name: &str) -> Result<char, String> {
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x") {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse::<u32>().ok()
            } else {
                None
            };
            code.and_then(char::from_u32)
                .filter(|c| *c != '\0')
                .ok_or_else(|| format!("unknown entity reference &{name};"))?
        }
    };
    Ok(c)
}

/// Escapes text for element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_namespaces_text_and_references() {
        let root = parse(
            r#"<?xml version="1.0"?><a:r xmlns:a="urn:a" xmlns="urn:d"><c scheme="s&amp;">t&lt;&#x41;<![CDATA[<]]></c><e/></a:r>"#,
        )
        .unwrap();
        assert!(root.is("urn:a", "r"));
        assert_eq!(root.children.len(), 2);
        assert!(root.children[0].is("urn:d", "c"));
        assert_eq!(root.children[0].attr("scheme"), Some("s&"));
        assert_eq!(root.children[0].text, "t<A<");
        assert!(root.children[1].is("urn:d", "e"));
    }

    #[test]
    fn refuses_bad_documents() {
        for doc in [
            "",
            "<p:r/>",
            "<r></s>",
            "<r/><r/>",
            "<r>&foo;</r>",
            "<!DOCTYPE r><r/>",
            "<r>&#0;</r>",
            "<r>",
        ] {
            assert!(parse(doc).is_err(), "{doc}");
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn escapes() {
        assert_eq!(escape(r#"<a&'">"#), "&lt;a&amp;&apos;&quot;&gt;");
    }
}
