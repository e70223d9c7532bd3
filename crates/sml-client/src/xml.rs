//! Escaping for the SOAP envelopes we write. Answers are read with `smp_xml::dom`, the
//! same hardened reader as SMP documents.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_markup_relevant() {
        assert_eq!(escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\r\ny"), "x&#13;\ny");
    }

    #[test]
    fn only_xml_characters_are_text() {
        assert!(is_xml_text("plain \t text \u{10000}"));
        assert!(!is_xml_text("nul \u{0}"));
        assert!(!is_xml_text("\u{FFFE}"));
    }
}
