//! Characters, names and references: what XML allows in names, text and attribute values.

use crate::error::XmlError;

pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// XML 1.0 (fifth edition) §2.3 `NameStartChar`, without `:` (Namespaces in XML 1.0 `NCName`).
fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// Whether `s` is an `NCName`: a prefix or local name. quick-xml takes a name to be
/// whatever runs up to whitespace, `=` or `>`, so `<a/b>`, `<a</>` or `<1x>` reach us;
/// written back, such a name makes the document malformed (or not XML at all).
pub(super) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start_char)
        && chars.all(|c| {
            is_name_start_char(c)
                || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
        })
}

/// Resolves one entity or character reference name (without `&` and `;`).
pub(super) fn resolve_reference(name: &str) -> Result<char, XmlError> {
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
pub(super) fn decode_attribute(raw: &str) -> Result<String, XmlError> {
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
