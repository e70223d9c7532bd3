//! Choosing the SMP URL among a participant's NAPTR records (U-NAPTR, RFC 4848 / RFC 3403).

use crate::error::SmlError;

/// The Peppol service tag of an SMP record.
const SERVICE: &str = "Meta:SMP";
/// The terminal flag: the regexp yields a URI.
const FLAG: &str = "U";

/// A NAPTR record's fields, as text (what [`select_smp_url`] reads).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NaptrRecord {
    /// Lower first.
    pub order: u16,
    /// Lower first among equal `order`.
    pub preference: u16,
    /// `U` for SMP records.
    pub flags: String,
    /// `Meta:SMP` for SMP records.
    pub services: String,
    /// `!.*!https://smp.example.org/!`: the first character is the delimiter.
    pub regexp: String,
    /// `.` for U records (unused).
    pub replacement: String,
}

/// The outcome of a participant lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsAnswer {
    /// The participant is registered; `smp_url` is the URL of its SMP from the best record.
    Registered {
        /// The SMP base URL, as published (e.g. `https://smp.example.org/`).
        smp_url: String,
        /// How many `Meta:SMP` / `U` records the name has (more than one is unusual).
        records: usize,
    },
    /// The name does not exist (NXDOMAIN) or has no `Meta:SMP` NAPTR record (NODATA).
    NotRegistered,
}

/// Applies a `U` record's regexp. Only patterns that match any input (`.*`, `^.*$`, ...) and
/// replacements without back-references are supported: that is what SMLs publish, and the
/// answer then does not depend on the queried name.
fn apply_regexp(regexp: &str) -> Result<String, String> {
    let mut chars = regexp.chars();
    let delim = chars.next().ok_or_else(|| "empty regexp".to_owned())?;
    if delim == '\\' || delim.is_ascii_digit() || delim == 'i' {
        return Err(format!("invalid regexp delimiter {delim:?}"));
    }
    // Split on unescaped delimiters; `\` + delimiter stands for the delimiter itself.
    let mut parts: Vec<String> = vec![String::new()];
    let mut escaped = false;
    for c in chars {
        let part = parts.last_mut().ok_or_else(|| "regexp parse".to_owned())?;
        if escaped {
            if c != delim {
                part.push('\\');
            }
            part.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == delim {
            parts.push(String::new());
        } else {
            part.push(c);
        }
    }
    if escaped {
        return Err(format!("regexp {regexp:?} ends with a lone backslash"));
    }
    let [pattern, replacement, flags] = parts.as_slice() else {
        return Err(format!(
            "regexp {regexp:?} is not <delim>pattern<delim>replacement<delim>[flags]"
        ));
    };
    if !flags.is_empty() && flags != "i" {
        return Err(format!("regexp {regexp:?} has unknown flags {flags:?}"));
    }
    if !matches!(
        pattern.as_str(),
        ".*" | "^.*" | ".*$" | "^.*$" | "^(.*)$" | "(.*)"
    ) {
        return Err(format!(
            "regexp pattern {pattern:?} is not supported (only patterns matching any name, like ^.*$)"
        ));
    }
    let mut out = String::with_capacity(replacement.len());
    let mut rest = replacement.chars().peekable();
    while let Some(c) = rest.next() {
        if c == '\\' {
            match rest.next() {
                Some(d) if d.is_ascii_digit() => {
                    return Err(format!(
                        "regexp replacement {replacement:?} uses a back-reference"
                    ));
                }
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn usable_scheme(url: &str, allow_http: bool) -> bool {
    let lower = url
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let host_follows = |prefix: &str| url.len() > prefix.len();
    (lower.starts_with("https://") && host_follows("https://"))
        || (allow_http && lower.starts_with("http://") && host_follows("http://"))
}

/// Picks the SMP URL for the participant whose name is `name` from its NAPTR records: keeps
/// the records with service `Meta:SMP` and flag `U` (any case), sorts them by order then
/// preference, and returns the first whose regexp yields an `https://` URL (`http://` too if
/// `allow_http`).
///
/// # Errors
///
/// [`SmlError::DnsNoHttpsTarget`] if there are `Meta:SMP` records but none yields a usable URL.
pub fn select_smp_url(
    name: &str,
    records: &[NaptrRecord],
    allow_http: bool,
) -> Result<DnsAnswer, SmlError> {
    let mut smp: Vec<&NaptrRecord> = records
        .iter()
        .filter(|r| r.services.eq_ignore_ascii_case(SERVICE) && r.flags.eq_ignore_ascii_case(FLAG))
        .collect();
    if smp.is_empty() {
        return Ok(DnsAnswer::NotRegistered);
    }
    smp.sort_by_key(|r| (r.order, r.preference));
    let mut rejected = Vec::new();
    for r in &smp {
        match apply_regexp(&r.regexp) {
            Ok(url) if usable_scheme(&url, allow_http) => {
                return Ok(DnsAnswer::Registered {
                    smp_url: url,
                    records: smp.len(),
                });
            }
            Ok(url) => rejected.push(format!("{url:?} (not https)")),
            Err(reason) => rejected.push(reason),
        }
    }
    Err(SmlError::DnsNoHttpsTarget {
        name: name.to_owned(),
        targets: rejected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(order: u16, preference: u16, flags: &str, services: &str, regexp: &str) -> NaptrRecord {
        NaptrRecord {
            order,
            preference,
            flags: flags.into(),
            services: services.into(),
            regexp: regexp.into(),
            replacement: ".".into(),
        }
    }

    fn url(records: &[NaptrRecord]) -> String {
        match select_smp_url("n.", records, false).unwrap() {
            DnsAnswer::Registered { smp_url, .. } => smp_url,
            DnsAnswer::NotRegistered => panic!("not registered"),
        }
    }

    #[test]
    fn the_peppol_record() {
        let r = rec(100, 10, "U", "Meta:SMP", "!.*!https://smp.example.org/!");
        assert_eq!(
            select_smp_url("n.", &[r], false).unwrap(),
            DnsAnswer::Registered {
                smp_url: "https://smp.example.org/".into(),
                records: 1
            }
        );
    }

    #[test]
    fn any_delimiter_and_case() {
        assert_eq!(
            url(&[rec(1, 1, "u", "meta:smp", "#^.*$#https://a.example/x!y#")]),
            "https://a.example/x!y"
        );
        assert_eq!(
            url(&[rec(
                1,
                1,
                "U",
                "META:SMP",
                "/.*/https:\\/\\/b.example\\/p/i"
            )]),
            "https://b.example/p"
        );
        assert_eq!(
            url(&[rec(1, 1, "U", "Meta:SMP", "!.*!HTTPS://C.example!")]),
            "HTTPS://C.example"
        );
    }

    #[test]
    fn order_then_preference() {
        let records = [
            rec(200, 1, "U", "Meta:SMP", "!.*!https://order200/!"),
            rec(100, 20, "U", "Meta:SMP", "!.*!https://order100-pref20/!"),
            rec(100, 10, "U", "Meta:SMP", "!.*!https://order100-pref10/!"),
            rec(50, 1, "U", "Meta:Other", "!.*!https://other-service/!"),
            rec(50, 1, "S", "Meta:SMP", "!.*!https://other-flag/!"),
        ];
        match select_smp_url("n.", &records, false).unwrap() {
            DnsAnswer::Registered { smp_url, records } => {
                assert_eq!(smp_url, "https://order100-pref10/");
                assert_eq!(records, 3);
            }
            DnsAnswer::NotRegistered => panic!(),
        }
    }

    #[test]
    fn https_only_unless_allowed() {
        let http = rec(1, 1, "U", "Meta:SMP", "!.*!http://127.0.0.1:8080/!");
        let err = select_smp_url("n.", std::slice::from_ref(&http), false).unwrap_err();
        assert_eq!(err.code(), "dns.no_https_target");
        assert!(err.to_string().contains("http://127.0.0.1:8080/"));
        assert!(matches!(
            select_smp_url("n.", std::slice::from_ref(&http), true).unwrap(),
            DnsAnswer::Registered { .. }
        ));
        // A worse https record wins over a better http one.
        let https = rec(2, 1, "U", "Meta:SMP", "!.*!https://later/!");
        assert_eq!(url(&[http, https]), "https://later/");
        assert!(
            select_smp_url("n.", &[rec(1, 1, "U", "Meta:SMP", "!.*!ftp://x/!")], true).is_err()
        );
        assert!(
            select_smp_url("n.", &[rec(1, 1, "U", "Meta:SMP", "!.*!https://!")], false).is_err()
        );
    }

    #[test]
    fn no_smp_record_is_not_registered() {
        assert_eq!(
            select_smp_url("n.", &[], false).unwrap(),
            DnsAnswer::NotRegistered
        );
        let other = rec(1, 1, "U", "Meta:Other", "!.*!https://x/!");
        assert_eq!(
            select_smp_url("n.", &[other], false).unwrap(),
            DnsAnswer::NotRegistered
        );
    }

    #[test]
    fn unsupported_regexps_are_reported() {
        for bad in [
            "",
            "!.*!https://x/",
            "!.*!https://x/!!",
            "!^foo$!https://x/!",
            "!(.*)!https://\\1/!",
            "!.*!https://x/!g",
            "\\.*\\https://x/\\",
            "!.*!https://x/\\",
        ] {
            let r = rec(1, 1, "U", "Meta:SMP", bad);
            assert!(select_smp_url("n.", &[r], false).is_err(), "{bad:?}");
        }
    }
}
