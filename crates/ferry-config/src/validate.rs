//! Checking a loaded configuration once, naming the key and its environment variable.

use super::{Config, ConfigError, SmlMode, invalid};

/// The longest `parking.audit_retention_days` (100 years): a larger figure is a typo.
const MAX_AUDIT_RETENTION_DAYS: u32 = 36_500;

impl Config {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let s = &self.server;
        if s.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(invalid(
                "server.bind",
                "FERRY_SERVER__BIND",
                format!("`{}` is not host:port", s.bind),
            ));
        }
        let public_url_ok = s.public_url.is_empty()
            || s.public_url.starts_with("http://")
            || s.public_url.starts_with("https://");
        if !public_url_ok {
            return Err(invalid(
                "server.public_url",
                "FERRY_SERVER__PUBLIC_URL",
                "must start with http:// or https://",
            ));
        }
        if s.tls_certificate.is_empty() != s.tls_key.is_empty() {
            return Err(invalid(
                "server.tls_key",
                "FERRY_SERVER__TLS_KEY",
                "set both tls_certificate and tls_key, or neither",
            ));
        }
        if s.max_body_bytes < 1024 {
            return Err(invalid(
                "server.max_body_bytes",
                "FERRY_SERVER__MAX_BODY_BYTES",
                "must be at least 1024",
            ));
        }
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database.url",
                "FERRY_DATABASE__URL",
                "use sqlite://PATH or postgres://...",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(invalid(
                "database.max_connections",
                "FERRY_DATABASE__MAX_CONNECTIONS",
                "must be at least 1",
            ));
        }
        for (key, env, path) in [
            (
                "signing.certificate",
                "FERRY_SIGNING__CERTIFICATE",
                &self.signing.certificate,
            ),
            ("signing.key", "FERRY_SIGNING__KEY", &self.signing.key),
        ] {
            if !path.is_file() {
                return Err(invalid(
                    key,
                    env,
                    format!("{} is not a readable file", path.display()),
                ));
            }
        }
        let sml = &self.sml;
        let label_ok = !sml.smp_id.is_empty()
            && sml.smp_id.len() <= 63
            && sml
                .smp_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !sml.smp_id.starts_with('-')
            && !sml.smp_id.ends_with('-');
        if sml.mode.is_on() && !label_ok {
            return Err(invalid(
                "sml.smp_id",
                "FERRY_SML__SMP_ID",
                "use a DNS label: letters, digits and '-', at most 63",
            ));
        }
        if sml.mode.is_peppol_network() {
            self.refuse_development_secrets()?;
        }
        if sml.mode == SmlMode::Custom
            && !sml.url.starts_with("https://")
            && !sml.url.starts_with("http://")
        {
            return Err(invalid(
                "sml.url",
                "FERRY_SML__URL",
                "custom mode needs the SML's SOAP base URL",
            ));
        }
        if sml.physical_address.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(invalid(
                "sml.physical_address",
                "FERRY_SML__PHYSICAL_ADDRESS",
                "must be an IPv4 address",
            ));
        }
        for s in &sml.dns_servers {
            if s.parse::<std::net::SocketAddr>().is_err() {
                return Err(invalid(
                    "sml.dns_servers",
                    "FERRY_SML__DNS_SERVERS",
                    format!("`{s}` is not ip:port"),
                ));
            }
        }
        if sml.mode == SmlMode::Emulator {
            for (key, env, addr) in [
                (
                    "sml.emulator.soap_bind",
                    "FERRY_SML__EMULATOR__SOAP_BIND",
                    &sml.emulator.soap_bind,
                ),
                (
                    "sml.emulator.dns_bind",
                    "FERRY_SML__EMULATOR__DNS_BIND",
                    &sml.emulator.dns_bind,
                ),
            ] {
                if addr.parse::<std::net::SocketAddr>().is_err() {
                    return Err(invalid(key, env, format!("`{addr}` is not host:port")));
                }
            }
        }
        self.registration_policy()?;
        self.validate_parking()?;
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return Err(invalid(
                "log.format",
                "FERRY_LOG__FORMAT",
                "use `text` or `json`",
            ));
        }
        Ok(())
    }

    /// The `[policy]` section as the domain's rules; fails on an unparsable document type.
    pub fn registration_policy(&self) -> Result<smp_core::RegistrationPolicy, ConfigError> {
        let doctype = |key: &'static str, env: &'static str, s: &str| {
            peppol_id::DocumentTypeId::parse(s)
                .map_err(|e| invalid(key, env, format!("`{s}`: {e}")))
        };
        let p = &self.policy;
        let mut legacy_equivalents = smp_core::RegistrationPolicy::default_legacy_equivalents();
        for (legacy, bis3) in &p.legacy_equivalents {
            let env = "FERRY_POLICY__LEGACY_EQUIVALENTS";
            let pair = smp_core::LegacyEquivalent {
                legacy: doctype("policy.legacy_equivalents", env, legacy)?,
                bis3: doctype("policy.legacy_equivalents", env, bis3)?,
            };
            if !legacy_equivalents.contains(&pair) {
                legacy_equivalents.push(pair);
            }
        }
        let refused_document_types = p
            .refused_document_types
            .iter()
            .map(|s| {
                doctype(
                    "policy.refused_document_types",
                    "FERRY_POLICY__REFUSED_DOCUMENT_TYPES",
                    s,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(smp_core::RegistrationPolicy {
            require_bis3_before_legacy: p.require_bis3_before_legacy,
            legacy_equivalents,
            refused_document_types,
        })
    }

    /// The `[parking]` section; only checked in full when it is enabled.
    pub(crate) fn validate_parking(&self) -> Result<(), ConfigError> {
        let p = &self.parking;
        if party_config::ParkingEnvironment::parse(&p.environment).is_none() {
            return Err(invalid(
                "parking.environment",
                "FERRY_PARKING__ENVIRONMENT",
                "must be `test` or `production`",
            ));
        }
        if p.daily_quota == 0 || p.per_ip_per_minute == 0 || p.global_per_minute == 0 {
            return Err(invalid(
                "parking.daily_quota",
                "FERRY_PARKING__DAILY_QUOTA",
                "daily_quota, per_ip_per_minute and global_per_minute must be at least 1",
            ));
        }
        if p.audit_retention_days > MAX_AUDIT_RETENTION_DAYS {
            return Err(invalid(
                "parking.audit_retention_days",
                "FERRY_PARKING__AUDIT_RETENTION_DAYS",
                format!(
                    "at most {MAX_AUDIT_RETENTION_DAYS} days; 0 keeps the collection log for good"
                ),
            ));
        }
        if !p.enabled {
            return Ok(());
        }
        for file in &p.crl_files {
            if !std::path::Path::new(file).is_file() {
                return Err(invalid(
                    "parking.crl_files",
                    "FERRY_PARKING__CRL_FILES",
                    format!("{file} is not a readable file"),
                ));
            }
        }
        if p.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(invalid(
                "parking.bind",
                "FERRY_PARKING__BIND",
                format!("`{}` is not an address like 127.0.0.1:8443", p.bind),
            ));
        }
        if p.bind == self.server.bind {
            return Err(invalid(
                "parking.bind",
                "FERRY_PARKING__BIND",
                "must differ from server.bind (the token listener is a separate https listener)",
            ));
        }
        for (key, env, value) in [
            (
                "parking.tls_certificate",
                "FERRY_PARKING__TLS_CERTIFICATE",
                &p.tls_certificate,
            ),
            ("parking.tls_key", "FERRY_PARKING__TLS_KEY", &p.tls_key),
            (
                "parking.trust_store",
                "FERRY_PARKING__TRUST_STORE",
                &p.trust_store,
            ),
        ] {
            if value.is_empty() {
                return Err(invalid(key, env, "is required when parking.enabled = true"));
            }
        }
        if p.ap_ca_names.iter().all(|n| n.trim().is_empty()) {
            return Err(invalid(
                "parking.ap_ca_names",
                "FERRY_PARKING__AP_CA_NAMES",
                "needs at least one name fragment, e.g. \"AP CA\"",
            ));
        }
        Ok(())
    }
}
