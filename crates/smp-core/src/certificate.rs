//! AP certificates given by operators in JSON (base64 DER or PEM).

use crate::DomainError;

/// Checks that `input` is one X.509 certificate and returns it as one-line base64 DER,
/// the form an SMP `<Certificate>` carries.
pub(crate) fn normalise_certificate(input: &str) -> Result<String, DomainError> {
    let trimmed = input.trim();
    let body: String = if trimmed.starts_with("-----BEGIN") {
        trimmed
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect()
    } else {
        trimmed.to_owned()
    };
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = data_encoding::BASE64
        .decode(compact.as_bytes())
        .map_err(|_| invalid("is neither PEM nor base64 DER"))?;
    match x509_parser::parse_x509_certificate(&der) {
        Ok(([], _)) => Ok(data_encoding::BASE64.encode(&der)),
        Ok(_) => Err(invalid("has trailing bytes after the certificate")),
        Err(_) => Err(invalid("is not an X.509 certificate")),
    }
}

fn invalid(why: &str) -> DomainError {
    DomainError::invalid(
        "endpoint.certificate",
        format!("the certificate {why}; send the AP certificate as PEM or base64 DER"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_text_is_refused() {
        assert_eq!(
            normalise_certificate("blacert").map_err(|e| e.code()).err(),
            Some("input.invalid")
        );
        assert!(normalise_certificate("").is_err());
    }
}
