//! The SML operations: check order, fault codes and state changes, in one transaction each.

mod checks;
use checks::{check_endpoint, check_smp_id, key_of, parse_date, today};
mod participants;

use diesel::{Connection, SqliteConnection};
use openssl::{hash::MessageDigest, x509::X509};

use crate::{
    sml_fault::{FaultKind, SmlFault},
    soap_request::{Endpoint, Operation},
    soap_response::Reply,
    store::{self, SmpRow},
};

/// CreateList and DeleteList refuse more than this many identifiers.
const MAX_LIST: usize = 100;
const PARTICIPANT_SCHEME: &str = "iso6523-actorid-upis";
const NAPTR_SERVICE: &str = "Meta:SMP";

/// The client certificate of the TLS connection a request came on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// Lower-case hex SHA-256 of the certificate DER.
    pub(crate) fingerprint: String,
    /// `CN=..,O=..,C=..:serial` as BDMSL prints it in ERR-101.
    pub(crate) display: String,
}

impl Caller {
    pub(crate) fn from_der(der: &[u8]) -> Result<Self, String> {
        let cert = X509::from_der(der).map_err(|e| e.to_string())?;
        Self::from_x509(&cert)
    }

    fn from_x509(cert: &X509) -> Result<Self, String> {
        let digest = cert
            .digest(MessageDigest::sha256())
            .map_err(|e| e.to_string())?;
        let fingerprint = data_encoding::HEXLOWER.encode(&digest);
        // BDMSL prints the subject most-specific first: CN=..,O=..,C=..
        let mut parts: Vec<String> = Vec::new();
        for entry in cert.subject_name().entries() {
            let key = entry.object().nid().short_name().unwrap_or("?");
            let value = entry.data().to_string().unwrap_or_default();
            parts.push(format!("{key}={value}"));
        }
        parts.reverse();
        let serial = cert
            .serial_number()
            .to_bn()
            .and_then(|bn| bn.to_hex_str().map(|s| s.to_lowercase()))
            .map_err(|e| e.to_string())?;
        Ok(Self {
            fingerprint,
            display: format!("{}:{serial}", parts.join(",")),
        })
    }
}

/// A change the DNS zone must make once the transaction has committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DnsChange {
    /// Publish (or replace) the participant's NAPTR pointing at `logical_address`.
    Set {
        scheme: String,
        value: String,
        logical_address: String,
    },
    Remove {
        scheme: String,
        value: String,
    },
}

/// The outcome of one operation.
pub(crate) type Outcome = Result<(Reply, Vec<DnsChange>), SmlFault>;

/// Runs operations against the store.
pub(crate) struct Registry<'a> {
    pub(crate) conn: &'a mut SqliteConnection,
    /// Zone without the trailing dot, as BDMSL names its "subdomain" in messages.
    pub(crate) zone: &'a str,
    pub(crate) page_size: usize,
}

enum TxError {
    Fault(SmlFault),
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e)
    }
}

impl From<SmlFault> for TxError {
    fn from(f: SmlFault) -> Self {
        Self::Fault(f)
    }
}

type Tx<T> = Result<T, TxError>;

impl Registry<'_> {
    /// Executes `op` for `caller` in one transaction: either everything or nothing is stored.
    pub(crate) fn execute(&mut self, op: &Operation, caller: Option<&Caller>) -> Outcome {
        if matches!(op, Operation::IsAlive) {
            return Ok((Reply::Empty, Vec::new()));
        }
        let Some(caller) = caller else {
            return Err(SmlFault::new(
                FaultKind::Unauthorized,
                101,
                "No client certificate was presented.",
            ));
        };
        let zone = self.zone;
        let page_size = self.page_size.max(1);
        let result = self.conn.transaction::<_, TxError, _>(|conn| {
            let mut ctx = Ctx {
                conn,
                zone,
                page_size,
                caller,
                dns: Vec::new(),
            };
            let reply = ctx.run(op)?;
            Ok((reply, ctx.dns))
        });
        match result {
            Ok(ok) => Ok(ok),
            Err(TxError::Fault(f)) => Err(f),
            Err(TxError::Db(e)) => {
                tracing::error!(error = %e, "state store failed");
                Err(SmlFault::internal(format!("Internal error: {e}")))
            }
        }
    }
}

struct Ctx<'a, 'c> {
    conn: &'c mut SqliteConnection,
    zone: &'a str,
    page_size: usize,
    caller: &'a Caller,
    dns: Vec<DnsChange>,
}

impl Ctx<'_, '_> {
    fn run(&mut self, op: &Operation) -> Tx<Reply> {
        match op {
            Operation::SmpCreate { smp_id, endpoint } => self.smp_create(smp_id, endpoint),
            Operation::SmpRead { smp_id } => {
                let smp = self.owned_smp(smp_id)?;
                Ok(Reply::Smp {
                    smp_id: smp.smp_id,
                    logical_address: smp.logical_address,
                    physical_address: smp.physical_address,
                })
            }
            Operation::SmpUpdate { smp_id, endpoint } => self.smp_update(smp_id, endpoint),
            Operation::SmpDelete { smp_id } => self.smp_delete(smp_id),
            Operation::ParticipantCreate {
                smp_id,
                participant,
            } => {
                let smp = self.owned_smp(smp_id)?;
                self.create_participant(&smp, participant)?;
                Ok(Reply::Empty)
            }
            Operation::BdmslCreateParticipant {
                smp_id,
                participant,
                service_name,
            } => {
                let smp = self.owned_smp(smp_id)?;
                if service_name != NAPTR_SERVICE {
                    return Err(SmlFault::bad_request(format!(
                        "The NAPTR service [{service_name}] is not supported; only [{NAPTR_SERVICE}] is."
                    ))
                    .into());
                }
                self.create_participant(&smp, participant)?;
                Ok(Reply::Empty)
            }
            Operation::ParticipantDelete {
                smp_id,
                participant,
            } => {
                let smp = self.owned_smp(smp_id)?;
                self.delete_participant(&smp, participant)?;
                Ok(Reply::Empty)
            }
            Operation::CreateList {
                smp_id,
                participants,
            } => {
                let smp = self.list_smp(smp_id.as_deref(), participants.len())?;
                for p in participants {
                    self.create_participant(&smp, p)?;
                }
                Ok(Reply::Empty)
            }
            Operation::DeleteList {
                smp_id,
                participants,
            } => {
                let smp = self.list_smp(smp_id.as_deref(), participants.len())?;
                for p in participants {
                    self.delete_participant(&smp, p)?;
                }
                Ok(Reply::Empty)
            }
            Operation::List { smp_id, next_page } => self.list(smp_id, next_page.as_deref()),
            Operation::PrepareToMigrate {
                smp_id,
                participant,
                key,
            } => self.prepare_to_migrate(smp_id, participant, key),
            Operation::Migrate {
                smp_id,
                participant,
                key,
            } => self.migrate(smp_id, participant, key),
            Operation::PrepareChangeCertificate {
                certificate_pem,
                migration_date,
            } => self.prepare_change_certificate(certificate_pem, migration_date.as_deref()),
            Operation::Exists {
                smp_id,
                participant,
            } => {
                let smp = self.owned_smp(smp_id)?;
                let (scheme, value_key) = key_of(participant);
                let exists = store::find_participant(self.conn, &scheme, &value_key)?
                    .is_some_and(|p| p.smp_id == smp.smp_id);
                Ok(Reply::Exists {
                    smp_id: smp.smp_id,
                    participant: participant.clone(),
                    exists,
                })
            }
            Operation::IsAlive => Ok(Reply::Empty),
        }
    }

    fn smp(&mut self, smp_id: &str) -> Tx<SmpRow> {
        match store::find_smp(self.conn, smp_id)? {
            Some(smp) => Ok(smp),
            None => Err(SmlFault::smp_not_found(smp_id).into()),
        }
    }

    /// ERR-101 unless the caller's certificate is the one bound to `smp`. A prepared certificate
    /// change whose date has come is applied first.
    fn authorize(&mut self, smp: &mut SmpRow) -> Tx<()> {
        if let (Some(fp), Some(subject), Some(from)) = (
            &smp.pending_cert_fingerprint,
            &smp.pending_cert_subject,
            smp.pending_valid_from.as_deref().and_then(parse_date),
        ) && from <= today()
        {
            smp.cert_fingerprint = fp.clone();
            smp.cert_subject = subject.clone();
            smp.pending_cert_fingerprint = None;
            smp.pending_cert_subject = None;
            smp.pending_valid_from = None;
            store::update_smp(self.conn, smp)?;
        }
        if smp.cert_fingerprint == self.caller.fingerprint {
            Ok(())
        } else {
            Err(SmlFault::new(
                FaultKind::Unauthorized,
                101,
                format!(
                    "The SMP [{}] was not created with the certificate [{}]",
                    smp.smp_id, self.caller.display
                ),
            )
            .into())
        }
    }

    fn owned_smp(&mut self, smp_id: &str) -> Tx<SmpRow> {
        let mut smp = self.smp(smp_id)?;
        self.authorize(&mut smp)?;
        Ok(smp)
    }

    fn list_smp(&mut self, smp_id: Option<&str>, count: usize) -> Tx<SmpRow> {
        let Some(smp_id) = smp_id else {
            return Err(SmlFault::bad_request(
                "The list must name the ServiceMetadataPublisherID.",
            )
            .into());
        };
        let smp = self.owned_smp(smp_id)?;
        if count == 0 || count > MAX_LIST {
            return Err(SmlFault::bad_request(format!(
                "The list contains {count} participant identifiers; between 1 and {MAX_LIST} are allowed."
            ))
            .into());
        }
        Ok(smp)
    }

    fn smp_create(&mut self, smp_id: &str, endpoint: &Endpoint) -> Tx<Reply> {
        check_smp_id(smp_id)?;
        check_endpoint(endpoint)?;
        if store::find_smp(self.conn, smp_id)?.is_some() {
            return Err(
                SmlFault::bad_request(format!("The SMP '{smp_id}' already exists.")).into(),
            );
        }
        store::insert_smp(
            self.conn,
            &SmpRow {
                smp_id: smp_id.to_owned(),
                logical_address: endpoint.logical_address.clone(),
                physical_address: endpoint.physical_address.clone(),
                cert_fingerprint: self.caller.fingerprint.clone(),
                cert_subject: self.caller.display.clone(),
                pending_cert_fingerprint: None,
                pending_cert_subject: None,
                pending_valid_from: None,
            },
        )?;
        Ok(Reply::Empty)
    }

    fn smp_update(&mut self, smp_id: &str, endpoint: &Endpoint) -> Tx<Reply> {
        let mut smp = self.owned_smp(smp_id)?;
        check_endpoint(endpoint)?;
        smp.logical_address = endpoint.logical_address.clone();
        smp.physical_address = endpoint.physical_address.clone();
        store::update_smp(self.conn, &smp)?;
        for p in store::participants_of(self.conn, smp_id)? {
            self.dns.push(DnsChange::Set {
                scheme: p.scheme,
                value: p.value,
                logical_address: smp.logical_address.clone(),
            });
        }
        Ok(Reply::Empty)
    }

    fn smp_delete(&mut self, smp_id: &str) -> Tx<Reply> {
        self.owned_smp(smp_id)?;
        for p in store::participants_of(self.conn, smp_id)? {
            self.dns.push(DnsChange::Remove {
                scheme: p.scheme,
                value: p.value,
            });
        }
        store::delete_smp(self.conn, smp_id)?;
        Ok(Reply::Empty)
    }

    fn prepare_change_certificate(&mut self, pem: &str, date: Option<&str>) -> Tx<Reply> {
        let owned = store::smps_with_certificate(self.conn, &self.caller.fingerprint)?;
        if owned.is_empty() {
            return Err(SmlFault::new(
                FaultKind::Unauthorized,
                101,
                format!(
                    "No SMP was created with the certificate [{}]",
                    self.caller.display
                ),
            )
            .into());
        }
        let new = X509::from_pem(pem.as_bytes())
            .map_err(|_| {
                SmlFault::bad_request(
                    "The new certificate is not a valid PEM certificate (include the BEGIN/END CERTIFICATE lines).",
                )
            })
            .and_then(|c| Caller::from_x509(&c).map_err(SmlFault::bad_request))?;
        let from = match date {
            // Without a date the change applies at once (a simplification of BDMSL, which
            // waits for the new certificate's notBefore).
            None => today(),
            Some(d) => {
                let parsed = parse_date(d).ok_or_else(|| {
                    SmlFault::bad_request(format!("The migration date [{d}] is not a valid date."))
                })?;
                if parsed < today() {
                    return Err(SmlFault::bad_request(format!(
                        "The migration date [{d}] must not be in the past."
                    ))
                    .into());
                }
                parsed
            }
        };
        for mut smp in owned {
            smp.pending_cert_fingerprint = Some(new.fingerprint.clone());
            smp.pending_cert_subject = Some(new.display.clone());
            smp.pending_valid_from = Some(from.to_string());
            store::update_smp(self.conn, &smp)?;
        }
        Ok(Reply::Empty)
    }
}
