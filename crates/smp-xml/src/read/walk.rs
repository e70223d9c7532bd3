//! Schema-order cursor over an element's children, and simple-value checks.

use crate::error::XmlError;
use crate::read::dom::{Element, Node};

/// Walks the child elements of one element in XSD sequence order.
pub(crate) struct Children<'a> {
    elems: Vec<&'a Element>,
    pos: usize,
    pub(crate) path: String,
}

impl<'a> Children<'a> {
    /// Element-only content: any non-whitespace text is refused.
    pub(crate) fn of(el: &'a Element, path: &str) -> Result<Self, XmlError> {
        for child in &el.children {
            if let Node::Text(t) = child
                && !is_blank(t)
            {
                return Err(XmlError::UnexpectedElement {
                    path: path.to_owned(),
                    found: format!("text {:?}", shorten(t)),
                    expected: "element content only".to_owned(),
                });
            }
        }
        Ok(Self {
            elems: el.child_elements().collect(),
            pos: 0,
            path: path.to_owned(),
        })
    }

    pub(crate) fn child_path(&self, local: &str) -> String {
        format!("{}/{local}", self.path)
    }

    fn peek(&self) -> Option<&'a Element> {
        self.elems.get(self.pos).copied()
    }

    pub(crate) fn optional(&mut self, ns: &str, local: &str) -> Option<&'a Element> {
        let el = self.peek().filter(|e| e.is(ns, local))?;
        self.pos += 1;
        Some(el)
    }

    pub(crate) fn required(&mut self, ns: &str, local: &str) -> Result<&'a Element, XmlError> {
        if let Some(el) = self.optional(ns, local) {
            return Ok(el);
        }
        // An out-of-place element is "unexpected" when the expected one follows it, else the
        // expected element is simply missing.
        let later = self.elems[self.pos..].iter().any(|e| e.is(ns, local));
        match self.peek() {
            Some(found) if later => Err(XmlError::UnexpectedElement {
                path: self.path.clone(),
                found: found.display_name(),
                expected: format!("{{{ns}}}{local}"),
            }),
            _ => Err(XmlError::MissingElement {
                path: self.path.clone(),
                expected: format!("element {{{ns}}}{local}"),
            }),
        }
    }

    pub(crate) fn many(&mut self, ns: &str, local: &str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        while let Some(el) = self.optional(ns, local) {
            out.push(el);
        }
        out
    }

    /// Whatever is left; used for open content (`xs:any`).
    pub(crate) fn rest(&mut self) -> Vec<&'a Element> {
        let out = self.elems[self.pos..].to_vec();
        self.pos = self.elems.len();
        out
    }

    /// Fails if children remain.
    pub(crate) fn finish(self, expected: &str) -> Result<(), XmlError> {
        match self.peek() {
            None => Ok(()),
            Some(found) => Err(XmlError::UnexpectedElement {
                path: self.path,
                found: found.display_name(),
                expected: expected.to_owned(),
            }),
        }
    }
}

pub(crate) fn is_blank(t: &str) -> bool {
    t.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

fn shorten(t: &str) -> String {
    let t = t.trim();
    match t.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &t[..i]),
        None => t.to_owned(),
    }
}

/// Text-only content, trimmed. Child elements are refused.
pub(crate) fn text_of(el: &Element, path: &str) -> Result<String, XmlError> {
    if let Some(child) = el.child_elements().next() {
        return Err(XmlError::UnexpectedElement {
            path: path.to_owned(),
            found: child.display_name(),
            expected: "text content only".to_owned(),
        });
    }
    Ok(el.text().trim().to_owned())
}

/// Trimmed text that must not be empty.
pub(crate) fn required_text(el: &Element, path: &str) -> Result<String, XmlError> {
    let text = text_of(el, path)?;
    if text.is_empty() {
        return Err(XmlError::invalid_value(path, "a non-empty value", ""));
    }
    Ok(text)
}

/// A required unqualified attribute, trimmed and non-empty.
pub(crate) fn required_attr(el: &Element, name: &str, path: &str) -> Result<String, XmlError> {
    let value = el.attr(name).ok_or_else(|| XmlError::MissingElement {
        path: path.to_owned(),
        expected: format!("attribute {name}"),
    })?;
    let value = value.trim();
    if value.is_empty() {
        return Err(XmlError::invalid_value(
            &format!("{path}/@{name}"),
            "a non-empty value",
            "",
        ));
    }
    Ok(value.to_owned())
}

pub(crate) fn parse_bool(text: &str, path: &str) -> Result<bool, XmlError> {
    match text {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(XmlError::invalid_value(
            path,
            "xs:boolean (true/false/1/0)",
            text,
        )),
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn num(s: &str) -> u32 {
    s.bytes().fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
}

/// `YYYY-MM-DD` with a year of four or more digits and an optional leading `-`.
fn valid_date(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let mut parts = s.rsplitn(3, '-');
    let (Some(day), Some(month), Some(year)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    if !(year.len() >= 4 && year.bytes().all(|b| b.is_ascii_digit()))
        || (year.len() > 4 && year.starts_with('0'))
        || !digits(month, 2)
        || !digits(day, 2)
    {
        return false;
    }
    let y = year.parse::<u64>().unwrap_or(1);
    let (m, d) = (num(month), num(day));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let max = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=max).contains(&d)
}

/// Splits an optional timezone (`Z`, `+hh:mm`, `-hh:mm`) off the end.
/// Callers guarantee ASCII input, so the byte slicing below stays on char boundaries.
fn split_timezone(s: &str) -> Option<&str> {
    if !s.is_ascii() {
        return None;
    }
    if let Some(rest) = s.strip_suffix('Z') {
        return Some(rest);
    }
    if s.len() > 6 {
        let (rest, tz) = s.split_at(s.len() - 6);
        let b = tz.as_bytes();
        let looks_like_tz = matches!(b[0], b'+' | b'-')
            && digits(&tz[1..3], 2)
            && b[3] == b':'
            && digits(&tz[4..6], 2);
        if looks_like_tz {
            let (h, m) = (num(&tz[1..3]), num(&tz[4..6]));
            let ok = m < 60 && (h < 14 || (h == 14 && m == 0));
            return ok.then_some(rest);
        }
    }
    Some(s)
}

/// `xs:date` lexical form.
pub(crate) fn check_date(text: &str, path: &str) -> Result<(), XmlError> {
    match split_timezone(text) {
        Some(date) if valid_date(date) => Ok(()),
        _ => Err(XmlError::invalid_value(path, "xs:date (YYYY-MM-DD)", text)),
    }
}

/// `xs:dateTime` lexical form.
pub(crate) fn check_date_time(text: &str, path: &str) -> Result<(), XmlError> {
    let ok = split_timezone(text)
        .and_then(|s| s.split_once('T'))
        .is_some_and(|(date, time)| valid_date(date) && valid_time(time));
    if ok {
        Ok(())
    } else {
        Err(XmlError::invalid_value(
            path,
            "xs:dateTime (YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm])",
            text,
        ))
    }
}

fn valid_time(t: &str) -> bool {
    if !t.is_ascii() {
        return false;
    }
    let (hms, frac) = match t.split_once('.') {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (t, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let b = hms.as_bytes();
    if hms.len() != 8 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (h, m, s) = (&hms[0..2], &hms[3..5], &hms[6..8]);
    if !(digits(h, 2) && digits(m, 2) && digits(s, 2)) {
        return false;
    }
    let (h, m, s) = (num(h), num(m), num(s));
    let zero_frac = frac.is_none_or(|f| f.bytes().all(|b| b == b'0'));
    (h < 24 && m < 60 && s < 60) || (h == 24 && m == 0 && s == 0 && zero_frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times() {
        for ok in [
            "2016-11-02T00:00:00Z",
            "2016-11-02T00:00:00",
            "2024-02-29T23:59:59.123+01:00",
            "2016-11-02T24:00:00-14:00",
            "12016-11-02T00:00:00Z",
        ] {
            assert!(check_date_time(ok, "p").is_ok(), "{ok}");
        }
        for bad in [
            "2016-11-02",
            "2023-02-29T00:00:00Z",
            "2016-13-02T00:00:00Z",
            "2016-11-02T25:00:00Z",
            "2016-11-02T00:00:00+15:00",
            "2016-11-02T00:00Z",
            "2016-11-02 00:00:00",
            "2016-11-02T00:00:00.Z",
            "2016-11-02T0é:00:00Z",
            "2016-11-02T00:00:00+01:é0",
            "2016-11-02T24:00:01",
            "",
        ] {
            assert_eq!(
                check_date_time(bad, "p").unwrap_err().code(),
                "xml.invalid_value",
                "{bad}"
            );
        }
    }

    #[test]
    fn dates() {
        assert!(check_date("2020-01-31", "p").is_ok());
        assert!(check_date("2020-01-31Z", "p").is_ok());
        assert!(check_date("2020-01-31+02:00", "p").is_ok());
        assert!(check_date("2020-01-32", "p").is_err());
        assert!(check_date("20-01-01", "p").is_err());
    }

    #[test]
    fn booleans() {
        assert!(parse_bool("1", "p").unwrap());
        assert!(!parse_bool("false", "p").unwrap());
        assert_eq!(
            parse_bool("False", "p").unwrap_err().code(),
            "xml.invalid_value"
        );
    }
}
