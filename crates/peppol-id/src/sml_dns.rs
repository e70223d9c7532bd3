//! The DNS name under which the SML publishes a participant's NAPTR record.

use sha2::{Digest, Sha256};

/// The SML DNS name of a participant:
/// `base32(sha256(lower(value))) "." lower(scheme) "." zone`, always ending with a dot.
///
/// Only the value (`0088:123abc`) is hashed, not `scheme::value`. The hash uses the RFC 4648
/// base32 alphabet without `=` padding and is written in lower case. A missing trailing dot
/// on `zone` is added, and a leading one dropped, so both `"example.org"` and
/// `"example.org."` work.
///
/// ```
/// assert_eq!(
///     peppol_id::sml_dns_name("iso6523-actorid-upis", "0088:123ABC", "edelivery.tech.ec.europa.eu."),
///     "y7dzfxaf3d4cjz4kcgrxtec6twvcga4ky7zwa5boif6mswd4tdrq.iso6523-actorid-upis.edelivery.tech.ec.europa.eu.",
/// );
/// ```
pub fn sml_dns_name(scheme: &str, value: &str, zone: &str) -> String {
    // Unicode lower-casing matches what the Java SML does; participant values are ASCII anyway.
    let digest = Sha256::digest(value.to_lowercase().as_bytes());
    let mut name = data_encoding::BASE32_NOPAD
        .encode(&digest)
        .to_ascii_lowercase();
    name.push('.');
    name.push_str(&scheme.to_lowercase());
    name.push('.');
    let zone = zone.strip_prefix('.').unwrap_or(zone);
    if !zone.is_empty() {
        name.push_str(zone);
        if !zone.ends_with('.') {
            name.push('.');
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = "y7dzfxaf3d4cjz4kcgrxtec6twvcga4ky7zwa5boif6mswd4tdrq.iso6523-actorid-upis.edelivery.tech.ec.europa.eu.";

    #[test]
    fn peppol_facts_vector() {
        assert_eq!(
            sml_dns_name(
                "iso6523-actorid-upis",
                "0088:123abc",
                "edelivery.tech.ec.europa.eu."
            ),
            VECTOR
        );
    }

    #[test]
    fn case_and_zone_forms_do_not_matter() {
        for (scheme, value, zone) in [
            (
                "ISO6523-ACTORID-UPIS",
                "0088:123ABC",
                "edelivery.tech.ec.europa.eu.",
            ),
            (
                "iso6523-actorid-upis",
                "0088:123abc",
                "edelivery.tech.ec.europa.eu",
            ),
            (
                "iso6523-actorid-upis",
                "0088:123abc",
                ".edelivery.tech.ec.europa.eu.",
            ),
        ] {
            assert_eq!(sml_dns_name(scheme, value, zone), VECTOR);
        }
    }

    #[test]
    fn hashes_value_only() {
        let other = sml_dns_name(
            "iso6523-actorid-upis",
            "0088:123abd",
            "edelivery.tech.ec.europa.eu.",
        );
        assert_ne!(other, VECTOR);
        assert!(other.ends_with(".iso6523-actorid-upis.edelivery.tech.ec.europa.eu."));
    }

    #[test]
    fn empty_zone_still_ends_with_dot() {
        let name = sml_dns_name("iso6523-actorid-upis", "0088:123abc", "");
        assert_eq!(
            name,
            "y7dzfxaf3d4cjz4kcgrxtec6twvcga4ky7zwa5boif6mswd4tdrq.iso6523-actorid-upis."
        );
    }
}
