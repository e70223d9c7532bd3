//! The blocking HTTP half: mutual TLS, one POST per operation.

use std::error::Error as _;
use std::io::Read;
use std::time::Instant;

use peppol_id::ParticipantId;
use reqwest::blocking::Client;
use reqwest::header::{CONTENT_TYPE, HeaderValue};

use crate::config::{ClientIdentity, SmlClientConfig};
use crate::error::SmlError;
use crate::migration_key::MigrationKey;
use crate::smp_entry::SmpEntry;
use crate::soap::{self, ListedParticipant, SoapRequest};

/// The largest answer read: a List page of participants is well under this; anything bigger
/// is not an SML answer.
const MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;
/// A List that keeps returning pages past this is looping (the SML pages by 100 or more, and
/// no SMP has ten million participants).
const MAX_LIST_PAGES: usize = 100_000;

/// A blocking client for the SML's SOAP services, authenticated with the SMP's certificate.
///
/// Cheap to clone (the connection pool is shared). Every method makes exactly one HTTP
/// request (except [`list_participants`](Self::list_participants), one per page) and never
/// retries. It must not be called from inside an async runtime: it returns
/// [`SmlError::Config`] there; use `spawn_blocking`.
#[derive(Clone)]
pub struct SmlClient {
    http: Client,
    base_url: String,
    timeout: std::time::Duration,
}

impl std::fmt::Debug for SmlClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmlClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn not_in_async_runtime() -> Result<(), SmlError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(SmlError::config(
            "the blocking SML client was called from inside an async runtime; call it through spawn_blocking or a plain thread",
        ));
    }
    Ok(())
}

/// Converts the identity into what reqwest takes, checking it first so that the operator gets
/// a precise message (wrong password, key not matching the certificate) at start-up rather
/// than a TLS handshake failure later.
fn identity(id: &ClientIdentity) -> Result<reqwest::Identity, SmlError> {
    match id {
        ClientIdentity::Pem { certificate, key } => {
            let certs = openssl::x509::X509::stack_from_pem(certificate)
                .map_err(|e| SmlError::config(format!("the client certificate is not PEM: {e}")))?;
            let leaf = certs.first().ok_or_else(|| {
                SmlError::config("the client certificate file holds no PEM certificate")
            })?;
            let pkey = openssl::pkey::PKey::private_key_from_pem(key).map_err(|e| {
                SmlError::config(format!(
                    "the client private key is not an unencrypted PEM key: {e}"
                ))
            })?;
            check_key_matches(leaf, &pkey)?;
            // reqwest's native-tls identity wants PKCS#8; PKCS#1 and SEC1 keys are converted.
            let pkcs8 = pkey.private_key_to_pem_pkcs8().map_err(|e| {
                SmlError::config(format!(
                    "the client private key cannot be converted to PKCS#8: {e}"
                ))
            })?;
            reqwest::Identity::from_pkcs8_pem(certificate, &pkcs8).map_err(|e| {
                SmlError::config(format!("the client identity is unusable: {}", chain(&e)))
            })
        }
        ClientIdentity::Pkcs12 { der, password } => {
            let parsed = openssl::pkcs12::Pkcs12::from_der(der)
                .and_then(|p| p.parse2(password))
                .map_err(|e| {
                    SmlError::config(format!(
                        "the PKCS#12 file cannot be opened (not PKCS#12, or wrong password): {e}"
                    ))
                })?;
            let (Some(cert), Some(pkey)) = (parsed.cert, parsed.pkey) else {
                return Err(SmlError::config(
                    "the PKCS#12 file must hold both a certificate and its private key",
                ));
            };
            check_key_matches(&cert, &pkey)?;
            reqwest::Identity::from_pkcs12_der(der, password).map_err(|e| {
                SmlError::config(format!("the PKCS#12 identity is unusable: {}", chain(&e)))
            })
        }
    }
}

fn check_key_matches(
    cert: &openssl::x509::X509Ref,
    key: &openssl::pkey::PKeyRef<openssl::pkey::Private>,
) -> Result<(), SmlError> {
    let public = cert.public_key().map_err(|e| {
        SmlError::config(format!(
            "the client certificate's public key is unreadable: {e}"
        ))
    })?;
    if public.public_eq(key) {
        Ok(())
    } else {
        Err(SmlError::config(
            "the client private key does not belong to the client certificate",
        ))
    }
}

/// An error with its causes, `a: b: c`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

fn transport(e: &reqwest::Error) -> SmlError {
    // A connect error (DNS, TCP, TLS handshake) means the request was never written. Anything
    // later (timeout while waiting, connection closed before or during the answer) may have
    // been processed by the SML.
    SmlError::Transport {
        message: chain(e),
        timed_out: e.is_timeout() || e.source().is_some_and(|s| chain(s).contains("timed out")),
        maybe_applied: !e.is_connect(),
    }
}

impl SmlClient {
    /// Builds the client: checks the base URL, loads and checks the identity and the extra
    /// trusted roots. No request is made; use [`is_alive`](Self::is_alive) to test the
    /// connection.
    ///
    /// # Errors
    ///
    /// [`SmlError::Config`] naming the unusable setting.
    pub fn new(config: &SmlClientConfig) -> Result<Self, SmlError> {
        not_in_async_runtime()?;
        let base_url = config.base_url.trim().trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&base_url)
            .map_err(|e| SmlError::config(format!("base_url {base_url:?} is not a URL: {e}")))?;
        if url.scheme() != "https" || url.host_str().is_none() {
            return Err(SmlError::config(format!(
                "base_url {base_url:?} must be an https:// URL: the SML authenticates the SMP by its TLS client certificate"
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(SmlError::config(format!(
                "base_url {base_url:?} must not have a query or fragment"
            )));
        }
        if config.timeout.is_zero() || config.connect_timeout.is_zero() {
            return Err(SmlError::config(
                "the SML timeouts must be greater than zero",
            ));
        }
        let mut builder = Client::builder()
            .tls_backend_native()
            .identity(identity(&config.identity)?)
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            // A redirected SOAP POST is not something the SML does; follow none.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ferry-sml-client/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &config.trusted_roots_pem {
            let roots = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                SmlError::config(format!("trusted_roots_pem is not PEM: {}", chain(&e)))
            })?;
            if roots.is_empty() {
                return Err(SmlError::config("trusted_roots_pem holds no certificate"));
            }
            builder = builder.tls_certs_merge(roots);
        }
        let http = builder.build().map_err(|e| {
            SmlError::config(format!("cannot build the HTTPS client: {}", chain(&e)))
        })?;
        Ok(Self {
            http,
            base_url,
            timeout: config.timeout,
        })
    }

    /// The longest one request can take, connecting included (reqwest's total timeout).
    pub fn timeout(&self) -> std::time::Duration {
        self.timeout
    }

    /// The base URL requests go to (without a trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends one request and returns the HTTP status and body.
    fn send(&self, request: &SoapRequest) -> Result<(u16, Vec<u8>), SmlError> {
        // Callable from spawn_blocking threads (they carry a runtime handle but may block);
        // construction is what must not happen on an async worker, see `new`.

        let op = request.operation;
        let url = format!("{}/{}", self.base_url, op.service().path());
        let action = HeaderValue::from_str(&op.soap_action_header())
            .map_err(|e| SmlError::config(format!("SOAPAction header: {e}")))?;
        let started = Instant::now();
        let response = self
            .http
            .post(&url)
            .header(CONTENT_TYPE, HeaderValue::from_static("text/xml; charset=utf-8"))
            .header("SOAPAction", action)
            .body(request.envelope.clone())
            .send()
            .map_err(|e| {
                let err = transport(&e);
                tracing::warn!(operation = op.wsdl_name(), service = op.service().path(), elapsed_ms = started.elapsed().as_millis(), error = %err, "SML request failed");
                err
            })?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .take(MAX_RESPONSE_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|e| {
                let err = SmlError::Transport {
                    message: format!("reading the SML's answer (HTTP {status}): {}", chain(&e)),
                    timed_out: chain(&e).contains("timed out"),
                    maybe_applied: true,
                };
                tracing::warn!(operation = op.wsdl_name(), error = %err, "SML answer unreadable");
                err
            })?;
        if body.len() as u64 > MAX_RESPONSE_BYTES {
            return Err(SmlError::protocol(
                status,
                format!("the answer exceeds {MAX_RESPONSE_BYTES} bytes"),
            ));
        }
        tracing::debug!(
            operation = op.wsdl_name(),
            service = op.service().path(),
            status,
            elapsed_ms = started.elapsed().as_millis(),
            "SML answered"
        );
        Ok((status, body))
    }

    fn call_empty(&self, request: &SoapRequest) -> Result<(), SmlError> {
        let (status, body) = self.send(request)?;
        soap::parse_empty_response(status, &body)
    }

    /// ManageServiceMetadataService Create: registers this SMP (ID, public URL, IPv4 address).
    ///
    /// # Errors
    ///
    /// [`SmlError::InvalidRequest`] before sending, else as every call: `Fault` (the SML
    /// refused), `Transport`, `Protocol`.
    pub fn create_smp(&self, entry: &SmpEntry) -> Result<(), SmlError> {
        self.call_empty(&soap::create_smp_request(entry)?)
    }

    /// ManageServiceMetadataService Read: the SMP entry as the SML holds it.
    ///
    /// # Errors
    ///
    /// A `NotFound` fault (ERR-100) if the SMP is not registered.
    pub fn read_smp(&self, smp_id: &str) -> Result<SmpEntry, SmlError> {
        let (status, body) = self.send(&soap::read_smp_request(smp_id)?)?;
        soap::parse_read_smp_response(status, &body)
    }

    /// ManageServiceMetadataService Update: changes the SMP's addresses.
    ///
    /// # Errors
    ///
    /// As [`create_smp`](Self::create_smp).
    pub fn update_smp(&self, entry: &SmpEntry) -> Result<(), SmlError> {
        self.call_empty(&soap::update_smp_request(entry)?)
    }

    /// ManageServiceMetadataService Delete: removes the SMP and all its participants.
    ///
    /// # Errors
    ///
    /// As every call.
    pub fn delete_smp(&self, smp_id: &str) -> Result<(), SmlError> {
        self.call_empty(&soap::delete_smp_request(smp_id)?)
    }

    /// Registers one participant under `smp_id`.
    ///
    /// # Errors
    ///
    /// ERR-106 if it already exists (see [`SmlError::is_already_exists`]).
    pub fn create_participant(&self, smp_id: &str, p: &ParticipantId) -> Result<(), SmlError> {
        self.call_empty(&soap::create_participant_request(smp_id, p)?)
    }

    /// Registers up to 100 participants in one call (CreateList); an empty slice sends
    /// nothing.
    ///
    /// # Errors
    ///
    /// [`SmlError::TooManyParticipants`] above 100, before sending.
    pub fn create_participants(&self, smp_id: &str, ps: &[ParticipantId]) -> Result<(), SmlError> {
        let request = soap::create_participants_request(smp_id, ps)?;
        if ps.is_empty() {
            return Ok(());
        }
        self.call_empty(&request)
    }

    /// Removes one participant.
    ///
    /// # Errors
    ///
    /// ERR-110 if it is not registered; ERR-114 if a migration is planned.
    pub fn delete_participant(&self, smp_id: &str, p: &ParticipantId) -> Result<(), SmlError> {
        self.call_empty(&soap::delete_participant_request(smp_id, p)?)
    }

    /// Removes up to 100 participants in one call (DeleteList); an empty slice sends nothing.
    ///
    /// # Errors
    ///
    /// [`SmlError::TooManyParticipants`] above 100, before sending.
    pub fn delete_participants(&self, smp_id: &str, ps: &[ParticipantId]) -> Result<(), SmlError> {
        let request = soap::delete_participants_request(smp_id, ps)?;
        if ps.is_empty() {
            return Ok(());
        }
        self.call_empty(&request)
    }

    /// Every participant the SML holds for `smp_id`, following `NextPageIdentifier` until the
    /// last page.
    ///
    /// # Errors
    ///
    /// [`SmlError::Protocol`] if a listed identifier fails today's rules (use
    /// [`list_participant_identifiers`](Self::list_participant_identifiers) to see them all).
    pub fn list_participants(&self, smp_id: &str) -> Result<Vec<ParticipantId>, SmlError> {
        self.list_participant_identifiers(smp_id)?
            .iter()
            .map(|l| {
                l.parse().map_err(|e| {
                    SmlError::protocol(200, format!("the SML listed an invalid participant: {e}"))
                })
            })
            .collect()
    }

    /// Like [`list_participants`](Self::list_participants), without validating the
    /// identifiers: for reconciliation, which must see entries today's rules refuse.
    ///
    /// # Errors
    ///
    /// As every call; [`SmlError::Protocol`] if the pages loop.
    pub fn list_participant_identifiers(
        &self,
        smp_id: &str,
    ) -> Result<Vec<ListedParticipant>, SmlError> {
        let mut all = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_LIST_PAGES {
            let (status, body) =
                self.send(&soap::list_participants_request(smp_id, next.as_deref())?)?;
            let page = soap::parse_list_response(status, &body)?;
            let empty = page.participants.is_empty();
            all.extend(page.participants);
            match page.next_page {
                // An empty page with a next-page pointer would loop forever.
                Some(n) if !empty && next.as_deref() != Some(n.as_str()) => next = Some(n),
                _ => return Ok(all),
            }
        }
        Err(SmlError::protocol(
            200,
            format!("the participant list did not end after {MAX_LIST_PAGES} pages"),
        ))
    }

    /// PrepareToMigrate, by the participant's current SMP: the SML stores `key`; the new SMP
    /// then calls [`migrate`](Self::migrate) with it. Calling again replaces the key.
    ///
    /// # Errors
    ///
    /// As every call.
    pub fn prepare_to_migrate(
        &self,
        smp_id: &str,
        p: &ParticipantId,
        key: &MigrationKey,
    ) -> Result<(), SmlError> {
        self.call_empty(&soap::prepare_to_migrate_request(smp_id, p, key)?)
    }

    /// Migrate, by the new SMP with its own `smp_id`: moves the participant here.
    ///
    /// # Errors
    ///
    /// A fault if the key does not match, no migration record exists (ERR-111) or the
    /// participant is no longer under the old SMP.
    pub fn migrate(
        &self,
        smp_id: &str,
        p: &ParticipantId,
        key: &MigrationKey,
    ) -> Result<(), SmlError> {
        self.call_empty(&soap::migrate_request(smp_id, p, key)?)
    }

    /// BDMSL IsAlive: whether the SML answers (and accepts this client's TLS handshake).
    ///
    /// # Errors
    ///
    /// As every call.
    pub fn is_alive(&self) -> Result<(), SmlError> {
        self.call_empty(&soap::is_alive_request())
    }

    /// BDMSL ExistsParticipantIdentifier: whether `p` is registered under `smp_id`.
    ///
    /// # Errors
    ///
    /// As every call.
    pub fn exists_participant(&self, smp_id: &str, p: &ParticipantId) -> Result<bool, SmlError> {
        let (status, body) = self.send(&soap::exists_participant_request(smp_id, p)?)?;
        soap::parse_exists_response(status, &body)
    }

    /// BDMSL PrepareChangeCertificate: announces the SMP's next certificate (PEM or DER),
    /// optionally from `migration_date` (`YYYY-MM-DD`).
    ///
    /// # Errors
    ///
    /// [`SmlError::InvalidRequest`] for an unreadable certificate or a bad date.
    pub fn prepare_change_certificate(
        &self,
        new_certificate_pem_or_der: &[u8],
        migration_date: Option<&str>,
    ) -> Result<(), SmlError> {
        self.call_empty(&soap::prepare_change_certificate_request(
            new_certificate_pem_or_der,
            migration_date,
        )?)
    }
}
