//! Publication: turning the normalised tables into the exact bytes senders receive.
//!
//! Why sign on write: a sender's GET must cost no more than serving a static file, so
//! every document is rendered and signed when its data changes, stored, and served as
//! stored. See `docs/why-sign-on-write.md`.

mod cache;
mod render;

pub use cache::{DocumentCache, Generation};
pub use render::entity_record;
pub(crate) use render::{render_business_card, render_service_group, render_service_metadata};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

/// A document as served: its bytes and the validators that go with them.
#[derive(Debug, Clone)]
pub struct PublishedDocument {
    /// The exact bytes (signed where the document type is signed).
    pub content: Bytes,
    /// A strong entity tag, quoted.
    pub etag: String,
    /// When the document last changed, in unix milliseconds.
    pub updated_at: i64,
    /// `updated_at` as an HTTP date, formatted once when the document is loaded.
    pub last_modified: String,
}

impl PublishedDocument {
    /// Wraps stored bytes.
    pub fn new(content: Bytes, etag: String, updated_at: i64) -> Self {
        Self {
            content,
            etag,
            updated_at,
            last_modified: http_date(updated_at),
        }
    }
}

/// The strong ETag of some bytes: a quoted prefix of their SHA-256.
pub(crate) fn etag_of(content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    format!("\"{}\"", data_encoding::HEXLOWER.encode(&digest[..16]))
}

/// IMF-fixdate (RFC 9110) for a unix-millisecond timestamp.
fn http_date(unix_ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp(unix_ms.div_euclid(1000))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    // RFC 2822 gives "Mon, 23 Nov 2026 10:00:00 +0000"; HTTP wants "GMT" instead of the offset.
    match at.format(&Rfc2822) {
        Ok(s) => s.replace("+0000", "GMT"),
        Err(_) => "Thu, 01 Jan 1970 00:00:00 GMT".to_owned(),
    }
}

/// Where published documents are reachable; used for the absolute ServiceGroup hrefs.
#[derive(Debug, Clone)]
pub struct Links {
    public_url: String,
    base_path: String,
}

impl Links {
    /// `public_url` like `https://smp.example.org` (no path), `base_path` like `/smp` or "".
    pub fn new(public_url: &str, base_path: &str) -> Self {
        let base = base_path.trim_matches('/');
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            base_path: if base.is_empty() {
                String::new()
            } else {
                format!("/{base}")
            },
        }
    }

    /// The absolute URL of a participant's ServiceGroup base: `{public}{base}`.
    pub fn root(&self) -> String {
        format!("{}{}", self.public_url, self.base_path)
    }

    /// A stable description of everything that changes the rendered bytes.
    pub(crate) fn fingerprint_input(&self) -> String {
        self.root()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_use_gmt() {
        assert_eq!(http_date(784_111_777_000), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn links_normalise_slashes() {
        assert_eq!(Links::new("http://h:1/", "/smp/").root(), "http://h:1/smp");
        assert_eq!(Links::new("http://h:1", "").root(), "http://h:1");
    }
}
