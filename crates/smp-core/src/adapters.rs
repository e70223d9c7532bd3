//! The domain's SML trait implemented over `sml-client` (the one place that knows both).

use peppol_id::ParticipantId;
use sml_client::{DnsAnswer, FaultKind, MigrationKey, SmlClient, SmlDns, SmlError};

use crate::sml::{SmlFailure, SmlFailureKind, SmlRegistry};

/// The SML participant operations for one SMP ID, over SOAP with mutual TLS.
pub struct SmlClientRegistry {
    client: SmlClient,
    smp_id: String,
    dns: Option<SmlDns>,
}

impl SmlClientRegistry {
    /// Participant operations of `smp_id` through `client`.
    pub fn new(client: SmlClient, smp_id: &str) -> Self {
        Self {
            client,
            smp_id: smp_id.to_owned(),
            dns: None,
        }
    }

    /// Also resolve participants through this SML DNS (for migrations).
    pub fn with_dns(mut self, dns: SmlDns) -> Self {
        self.dns = Some(dns);
        self
    }

    /// The client, for SMP entry operations.
    pub fn client(&self) -> &SmlClient {
        &self.client
    }

    /// This SMP's ID at the SML.
    pub fn smp_id(&self) -> &str {
        &self.smp_id
    }
}

impl SmlRegistry for SmlClientRegistry {
    fn longest_call(&self) -> std::time::Duration {
        self.client.timeout()
    }
    fn create_participant(&self, participant: &ParticipantId) -> Result<(), SmlFailure> {
        self.client
            .create_participant(&self.smp_id, participant)
            .map_err(|e| failure(&e))
    }

    fn create_participants(&self, participants: &[ParticipantId]) -> Result<(), SmlFailure> {
        self.client
            .create_participants(&self.smp_id, participants)
            .map_err(|e| failure(&e))
    }

    fn delete_participant(&self, participant: &ParticipantId) -> Result<(), SmlFailure> {
        self.client
            .delete_participant(&self.smp_id, participant)
            .map_err(|e| failure(&e))
    }

    fn participant_exists(&self, participant: &ParticipantId) -> Result<bool, SmlFailure> {
        self.client
            .exists_participant(&self.smp_id, participant)
            .map_err(|e| failure(&e))
    }

    fn list_participants(&self) -> Result<Vec<ParticipantId>, SmlFailure> {
        self.client
            .list_participants(&self.smp_id)
            .map_err(|e| failure(&e))
    }

    fn prepare_to_migrate(&self, participant: &ParticipantId, key: &str) -> Result<(), SmlFailure> {
        let key = MigrationKey::new(key).map_err(|e| failure(&e))?;
        self.client
            .prepare_to_migrate(&self.smp_id, participant, &key)
            .map_err(|e| failure(&e))
    }

    fn migrate(&self, participant: &ParticipantId, key: &str) -> Result<(), SmlFailure> {
        let key = MigrationKey::new(key).map_err(|e| failure(&e))?;
        self.client
            .migrate(&self.smp_id, participant, &key)
            .map_err(|e| failure(&e))
    }

    fn lookup_smp(&self, participant: &ParticipantId) -> Result<Option<String>, SmlFailure> {
        let Some(dns) = &self.dns else {
            return Err(SmlFailure {
                kind: SmlFailureKind::Refused,
                code: "dns.not_configured".into(),
                message: "no SML DNS configured for lookups".into(),
            });
        };
        match dns.lookup(participant) {
            Ok(DnsAnswer::Registered { smp_url, .. }) => Ok(Some(smp_url)),
            Ok(DnsAnswer::NotRegistered) => Ok(None),
            Err(e) => Err(SmlFailure {
                kind: SmlFailureKind::Transient,
                code: e.code(),
                message: e.to_string(),
            }),
        }
    }
}

/// What an `SmlError` means for registration: only transport trouble and SML-side
/// errors are worth retrying; ERR-106 "already exist…" and not-found have their own
/// handling; everything else needs an operator.
pub(crate) fn failure(e: &SmlError) -> SmlFailure {
    let kind = match e {
        SmlError::Fault {
            kind: FaultKind::NotFound,
            ..
        }
        | SmlError::Fault {
            code: Some(110), ..
        } => SmlFailureKind::NotFound,
        SmlError::Fault {
            code: Some(106),
            message,
            ..
        } if message.to_ascii_lowercase().contains("already exist") => {
            SmlFailureKind::AlreadyExists
        }
        SmlError::Fault {
            kind: FaultKind::InternalError,
            ..
        } => SmlFailureKind::Transient,
        SmlError::Fault { .. } => SmlFailureKind::Refused,
        e if e.is_retryable() => SmlFailureKind::Transient,
        _ => SmlFailureKind::Refused,
    };
    SmlFailure {
        kind,
        code: e.code(),
        message: e.to_string(),
    }
}
