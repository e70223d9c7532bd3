//! Re-rendering everything when what the bytes depend on changed (public URL, base path,
//! signing certificate). The old bytes keep being served while this runs.

use sha2::{Digest, Sha256};
use smp_store::{participants, settings};

use crate::Documents;
use crate::DomainError;
use crate::kernel::now_ms;

const FINGERPRINT_KEY: &str = "publication.fingerprint";
const BATCH: i64 = 200;

impl Documents<'_> {
    fn publication_fingerprint(&self) -> String {
        let input = format!(
            "{}|{}",
            self.core.links.fingerprint_input(),
            self.core.signer.fingerprint_sha256()
        );
        data_encoding::HEXLOWER.encode(&Sha256::digest(input.as_bytes()))
    }

    /// Whether stored documents were rendered with the current URL and certificate.
    pub fn publication_is_current(&self) -> Result<bool, DomainError> {
        let stored = self
            .core
            .store
            .read(|conn| settings::get(conn, FINGERPRINT_KEY))?;
        Ok(stored.as_deref() == Some(self.publication_fingerprint().as_str()))
    }

    /// Re-renders and re-signs every participant when the fingerprint changed, in batches
    /// of one transaction each; returns how many participants were republished.
    pub fn republish_if_needed(&self) -> Result<usize, DomainError> {
        if self.publication_is_current()? {
            return Ok(0);
        }
        let mut after = String::new();
        let mut done = 0;
        loop {
            let batch = self
                .core
                .store
                .read(|conn| participants::all_keys_after(conn, &after, BATCH))?;
            let Some(last) = batch.last() else { break };
            after = last.participant_key.clone();
            self.core.write(|conn, touched| {
                let now = now_ms();
                for row in &batch {
                    self.core.publish_all(conn, row, now)?;
                    smp_store::changes::record(conn, &row.participant_key, now)?;
                    touched.push(row.participant_key.clone());
                }
                Ok(())
            })?;
            done += batch.len();
        }
        let fingerprint = self.publication_fingerprint();
        self.core
            .store
            .write(|conn| settings::set(conn, FINGERPRINT_KEY, &fingerprint))?;
        tracing::info!(
            participants = done,
            "republished documents for the current URL and signing certificate"
        );
        Ok(done)
    }
}
