//! Whole numbers in JSON bodies as JSON Schema reads them: `5` and `5.0` are the same
//! integer, so a body the OpenAPI document allows is not refused for its spelling (serde
//! alone takes only `5` for an integer field). Fractions, negatives and values past
//! `u32::MAX` are still refused.
//!
//! ```
//! #[derive(serde::Deserialize)]
//! struct Body {
//!     #[serde(deserialize_with = "party_config::whole_number::u32")]
//!     quota: u32,
//! }
//! let body: Body = serde_json::from_str(r#"{"quota": 5.0}"#).unwrap();
//! assert_eq!(body.quota, 5);
//! assert!(serde_json::from_str::<Body>(r#"{"quota": 5.5}"#).is_err());
//! ```

use std::fmt;

use serde::Deserializer;
use serde::de::{Error, Unexpected, Visitor};

/// A `u32` written as a JSON integer or as a float with no fraction.
pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    d.deserialize_any(WholeU32)
}

/// An optional [`u32()`]: `null` (or, with `#[serde(default)]`, no field) is `None`.
pub fn option_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    d.deserialize_option(OptionWholeU32)
}

struct WholeU32;

impl Visitor<'_> for WholeU32 {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number from 0 to 4294967295")
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<u32, E> {
        u32::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<u32, E> {
        u32::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<u32, E> {
        if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
            // Whole and within 0..=u32::MAX (checked just above), so the cast is exact.
            Ok(v as u32)
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }
}

struct OptionWholeU32;

impl<'de> Visitor<'de> for OptionWholeU32 {
    type Value = Option<u32>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null or a whole number from 0 to 4294967295")
    }

    fn visit_none<E: Error>(self) -> Result<Option<u32>, E> {
        Ok(None)
    }

    fn visit_unit<E: Error>(self) -> Result<Option<u32>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<u32>, D::Error> {
        u32(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::u32")]
        n: u32,
        #[serde(default, deserialize_with = "super::option_u32")]
        o: Option<u32>,
    }

    fn parse(json: &str) -> Option<(u32, Option<u32>)> {
        serde_json::from_str::<Body>(json).ok().map(|b| (b.n, b.o))
    }

    #[test]
    fn integers_and_whole_floats_are_the_same_number() {
        assert_eq!(parse(r#"{"n": 7}"#), Some((7, None)));
        assert_eq!(parse(r#"{"n": 7.0, "o": 3.0}"#), Some((7, Some(3))));
        assert_eq!(
            parse(r#"{"n": 4294967295, "o": null}"#),
            Some((u32::MAX, None))
        );
        assert_eq!(parse(r#"{"n": 4294967295.0}"#), Some((u32::MAX, None)));
    }

    #[test]
    fn fractions_negatives_and_overflow_are_refused() {
        for json in [
            r#"{"n": 7.5}"#,
            r#"{"n": -1}"#,
            r#"{"n": -1.0}"#,
            r#"{"n": 4294967296}"#,
            r#"{"n": 4294967296.0}"#,
            r#"{"n": 1e300}"#,
            r#"{"n": "7"}"#,
            r#"{"n": 7, "o": 0.5}"#,
        ] {
            assert_eq!(parse(json), None, "{json}");
        }
    }
}
