//! Lists in request bodies that stop being read at their limit.
//!
//! A bulk request is one JSON body; deserialising every item before counting them let a
//! 62 MiB body of minimal items take 544 MB, and two million capabilities 781 MB, before
//! the count was refused. These readers count while they parse and refuse the item past
//! the limit, so memory stays proportional to the limit, not to what a client sends.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

/// Most migrations in one bulk request.
pub const MAX_BULK_ITEMS: usize = 100_000;
/// Most capabilities of one inbound migration.
pub const MAX_CAPABILITIES: usize = 1_000;

/// `items` of a bulk request: at most [`MAX_BULK_ITEMS`].
pub fn bulk_items<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_seq(AtMost::<T>::new(
        MAX_BULK_ITEMS,
        "migrations in one bulk request",
    ))
}

/// `capabilities` of an inbound migration: at most [`MAX_CAPABILITIES`].
pub(super) fn capabilities<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_seq(AtMost::<T>::new(
        MAX_CAPABILITIES,
        "capabilities of one migration",
    ))
}

struct AtMost<T> {
    max: usize,
    what: &'static str,
    item: PhantomData<T>,
}

impl<T> AtMost<T> {
    fn new(max: usize, what: &'static str) -> Self {
        Self {
            max,
            what,
            item: PhantomData,
        }
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for AtMost<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of at most {} {}", self.max, self.what)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // A size hint from the client is not trusted beyond the limit.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.max).min(1024));
        while let Some(item) = seq.next_element()? {
            if out.len() == self.max {
                return Err(serde::de::Error::custom(format!(
                    "more than {} {}",
                    self.max, self.what
                )));
            }
            out.push(item);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::capabilities")]
        capabilities: Vec<u8>,
    }

    #[test]
    fn the_list_is_refused_at_the_item_past_the_limit() {
        let at_limit = format!(
            "{{\"capabilities\": [{}]}}",
            vec!["1"; super::MAX_CAPABILITIES].join(",")
        );
        let parsed = serde_json::from_str::<Body>(&at_limit).map(|b| b.capabilities.len());
        assert_eq!(parsed.ok(), Some(super::MAX_CAPABILITIES));
        // One more, followed by garbage the reader must never reach.
        let over = format!(
            "{{\"capabilities\": [{},1,not json at all",
            vec!["1"; super::MAX_CAPABILITIES].join(",")
        );
        let err = serde_json::from_str::<Body>(&over)
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains("more than 1000")),
            "{err:?}"
        );
    }
}
