use std::path::PathBuf;

use crate::{Backend, StoreError};

/// A parsed database URL: what to connect to, without any I/O done yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// `sqlite://path`: a file, relative to the working directory unless absolute.
    SqliteFile(PathBuf),
    /// `sqlite::memory:`: one private in-memory database (tests).
    SqliteMemory,
    /// `postgres://...` / `postgresql://...`, handed to libpq with `gssencmode=disable`
    /// added unless the URL sets it (see [`without_gssapi_probe`]).
    Postgres(String),
}

impl Target {
    pub(crate) fn parse(url: &str) -> Result<Self, StoreError> {
        let invalid = |reason| StoreError::InvalidUrl {
            url: redact(url),
            reason,
        };
        if url == "sqlite::memory:" {
            return Ok(Self::SqliteMemory);
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(invalid(
                    "the SQLite URL has no file path (sqlite://data/ferry.db)",
                ));
            }
            if path.contains('?') {
                return Err(invalid(
                    "SQLite URL parameters are not supported; give a plain file path",
                ));
            }
            return Ok(Self::SqliteFile(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(without_gssapi_probe(url)));
        }
        Err(invalid(
            "expected sqlite://PATH, sqlite::memory: or postgres://USER@HOST/DB",
        ))
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Self::SqliteFile(_) | Self::SqliteMemory => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}

/// libpq's default `gssencmode=prefer` probes for Kerberos credentials on every
/// connect. MIT krb5 is not safe against process exit: a pool thread still connecting
/// when a short CLI command returns from `main` aborts the process in `k5_mutex_lock`.
/// Ferry never asks for GSSAPI, so the probe is turned off unless the operator sets
/// `gssencmode` explicitly.
fn without_gssapi_probe(url: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    if query
        .split('&')
        .any(|pair| pair.split('=').next() == Some("gssencmode"))
    {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}gssencmode=disable")
}

/// The URL with its password (userinfo or `password=` parameter) replaced by `***`,
/// so it can go into error messages and logs.
pub(crate) fn redact(url: &str) -> String {
    let mut out = redact_userinfo(url);
    let mut search_from = 0;
    while let Some(found) = out[search_from..].find("password=") {
        let start = search_from + found + "password=".len();
        let end = out[start..]
            .find(['&', ' '])
            .map_or(out.len(), |i| start + i);
        out.replace_range(start..end, "***");
        search_from = start + 3;
    }
    out
}

fn redact_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest_start = scheme_end + 3;
    let rest = &url[rest_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        &url[..rest_start],
        &userinfo[..colon],
        &url[rest_start + at..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_supported_urls() {
        assert_eq!(
            Target::parse("sqlite::memory:").unwrap(),
            Target::SqliteMemory
        );
        assert_eq!(
            Target::parse("sqlite://data/ferry.db").unwrap(),
            Target::SqliteFile(PathBuf::from("data/ferry.db"))
        );
        assert_eq!(
            Target::parse("sqlite:///var/lib/ferry.db").unwrap(),
            Target::SqliteFile(PathBuf::from("/var/lib/ferry.db"))
        );
        let pg = "postgresql://u:p@h:5432/db";
        assert_eq!(
            Target::parse(pg).unwrap(),
            Target::Postgres(format!("{pg}?gssencmode=disable"))
        );
        assert_eq!(Target::parse(pg).unwrap().backend(), Backend::Postgres);
        assert_eq!(
            Target::parse("postgres://h/db?sslmode=require").unwrap(),
            Target::Postgres("postgres://h/db?sslmode=require&gssencmode=disable".into())
        );
        let explicit = "postgres://h/db?gssencmode=require";
        assert_eq!(
            Target::parse(explicit).unwrap(),
            Target::Postgres(explicit.to_owned())
        );
    }

    #[test]
    fn rejects_other_urls_without_leaking_password() {
        for bad in [
            "",
            "sqlite://",
            "mysql://root:hunter2@db/x",
            "sqlite://a.db?mode=ro",
            "data.db",
        ] {
            let err = Target::parse(bad).unwrap_err();
            assert_eq!(err.code(), "store.invalid_url", "{bad}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://ferry:s3cret@db:5432/ferry"),
            "postgres://ferry:***@db:5432/ferry"
        );
        assert_eq!(
            redact("postgres://ferry@db/ferry"),
            "postgres://ferry@db/ferry"
        );
        assert_eq!(
            redact("postgres://a:b:c@d@host/x?sslmode=require"),
            "postgres://a:***@host/x?sslmode=require"
        );
        assert_eq!(
            redact("postgres://db/x?user=u&password=pw&sslmode=on"),
            "postgres://db/x?user=u&password=***&sslmode=on"
        );
        assert_eq!(redact("sqlite://data/ferry.db"), "sqlite://data/ferry.db");
    }
}
