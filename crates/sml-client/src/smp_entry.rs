//! The SMP's own entry in the SML.

use std::net::Ipv4Addr;

use crate::error::SmlError;

/// An SMP as registered in the SML (ManageServiceMetadataService).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SmpEntry {
    /// The SMP ID, a DNS label (letters, digits, `-`), e.g. `FERRY-TEST-SMP`.
    pub smp_id: String,
    /// The public URL of the SMP (`https://smp.example.org/` or with a base path); the SML
    /// publishes it in every participant's NAPTR record.
    pub logical_address: String,
    /// The SMP's IPv4 address.
    pub physical_address: String,
}

impl SmpEntry {
    /// Checks what the SML checks, before sending: the SMP ID is a DNS label, the logical
    /// address an absolute `https://` (or, for local tests, `http://`) URL and the physical
    /// address an IPv4 address.
    ///
    /// # Errors
    ///
    /// [`SmlError::InvalidRequest`] naming the field.
    pub fn validate(&self) -> Result<(), SmlError> {
        validate_smp_id(&self.smp_id)?;
        let rest = self
            .logical_address
            .strip_prefix("https://")
            .or_else(|| self.logical_address.strip_prefix("http://"))
            .ok_or_else(|| {
                SmlError::invalid(
                    "logical_address",
                    format!("{:?} is not an https:// URL", self.logical_address),
                )
            })?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty()
            || self
                .logical_address
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(SmlError::invalid(
                "logical_address",
                format!(
                    "{:?} has no host or contains whitespace",
                    self.logical_address
                ),
            ));
        }
        if self.physical_address.parse::<Ipv4Addr>().is_err() {
            return Err(SmlError::invalid(
                "physical_address",
                format!("{:?} is not an IPv4 address", self.physical_address),
            ));
        }
        Ok(())
    }
}

/// The SMP ID syntax the SML accepts: a DNS label of 1 to 63 letters, digits and hyphens,
/// not starting or ending with a hyphen.
pub(crate) fn validate_smp_id(smp_id: &str) -> Result<(), SmlError> {
    let ok = (1..=63).contains(&smp_id.len())
        && smp_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !smp_id.starts_with('-')
        && !smp_id.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(SmlError::invalid(
            "smp_id",
            format!(
                "{smp_id:?} is not a DNS label (1 to 63 letters, digits and '-', not starting or ending with '-')"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, logical: &str, physical: &str) -> SmpEntry {
        SmpEntry {
            smp_id: id.into(),
            logical_address: logical.into(),
            physical_address: physical.into(),
        }
    }

    #[test]
    fn valid_entries() {
        entry("SMP-EXAMPLE-OLD", "https://smp.example.org/smp", "1.1.1.1")
            .validate()
            .unwrap();
        entry("a", "http://127.0.0.1:8080", "127.0.0.1")
            .validate()
            .unwrap();
    }

    #[test]
    fn invalid_entries_name_the_field() {
        for (e, field) in [
            (entry("", "https://x", "1.1.1.1"), "smp_id"),
            (entry("-SMP", "https://x", "1.1.1.1"), "smp_id"),
            (entry("SMP_1", "https://x", "1.1.1.1"), "smp_id"),
            (entry(&"A".repeat(64), "https://x", "1.1.1.1"), "smp_id"),
            (entry("SMP", "ftp://x", "1.1.1.1"), "logical_address"),
            (entry("SMP", "https://", "1.1.1.1"), "logical_address"),
            (entry("SMP", "https://a b", "1.1.1.1"), "logical_address"),
            (entry("SMP", "https://x", "::1"), "physical_address"),
            (entry("SMP", "https://x", "1.1.1"), "physical_address"),
        ] {
            match e.validate() {
                Err(SmlError::InvalidRequest { field: f, .. }) => assert_eq!(f, field, "{e:?}"),
                other => panic!("{e:?}: {other:?}"),
            }
        }
    }
}
