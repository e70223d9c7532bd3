//! Participant operations: create, delete, list, and the migration pair PrepareToMigrate / Migrate.

use super::checks::{check_participant, key_of};
use super::{Ctx, DnsChange, NAPTR_SERVICE, Tx};
use crate::migration_key;
use crate::sml_fault::{FaultKind, SmlFault};
use crate::soap_request::Participant;
use crate::soap_response::Reply;
use crate::store::{self, MigrationRow, ParticipantRow, SmpRow};

impl Ctx<'_, '_> {
    pub(super) fn create_participant(&mut self, smp: &SmpRow, p: &Participant) -> Tx<()> {
        check_participant(p)?;
        let (scheme, value_key) = key_of(p);
        if store::find_participant(self.conn, &scheme, &value_key)?.is_some() {
            return Err(SmlFault::bad_request(format!(
                "The participant identifier [{}] with scheme: [{}] already exist with naptr service [{NAPTR_SERVICE}] on subdomain: [{}]",
                p.value, p.scheme, self.zone
            ))
            .into());
        }
        store::insert_participant(
            self.conn,
            &ParticipantRow {
                scheme: scheme.clone(),
                value_key,
                value: p.value.clone(),
                smp_id: smp.smp_id.clone(),
            },
        )?;
        self.dns.push(DnsChange::Set {
            scheme,
            value: p.value.clone(),
            logical_address: smp.logical_address.clone(),
        });
        Ok(())
    }

    pub(super) fn participant_not_found(p: &Participant, smp_id: &str) -> SmlFault {
        SmlFault::new(
            FaultKind::NotFound,
            110,
            format!(
                "The participant identifier [{}] with scheme: [{}] doesn't exist for the SMP [{smp_id}].",
                p.value, p.scheme
            ),
        )
    }

    /// The participant's row if it is registered under `smp_id`, else ERR-110.
    pub(super) fn participant_of(&mut self, smp_id: &str, p: &Participant) -> Tx<ParticipantRow> {
        let (scheme, value_key) = key_of(p);
        match store::find_participant(self.conn, &scheme, &value_key)? {
            Some(row) if row.smp_id == smp_id => Ok(row),
            _ => Err(Self::participant_not_found(p, smp_id).into()),
        }
    }

    pub(super) fn delete_participant(&mut self, smp: &SmpRow, p: &Participant) -> Tx<()> {
        let row = self.participant_of(&smp.smp_id, p)?;
        if store::find_migration(self.conn, &row.scheme, &row.value_key)?.is_some() {
            return Err(SmlFault::new(
                FaultKind::Unauthorized,
                114,
                format!(
                    "A migration is planned for the participants [{}] of the SMP {}. Please contact your system administrator.",
                    p.value, smp.smp_id
                ),
            )
            .into());
        }
        store::delete_participant(self.conn, &row.scheme, &row.value_key)?;
        self.dns.push(DnsChange::Remove {
            scheme: row.scheme,
            value: row.value,
        });
        Ok(())
    }

    pub(super) fn list(&mut self, smp_id: &str, next_page: Option<&str>) -> Tx<Reply> {
        let smp = self.owned_smp(smp_id)?;
        let page: i64 = match next_page {
            None => 0,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if n >= 0 => n,
                _ => {
                    return Err(SmlFault::bad_request(format!(
                        "The NextPageIdentifier [{s}] is not valid."
                    ))
                    .into());
                }
            },
        };
        let size = i64::try_from(self.page_size).unwrap_or(i64::MAX);
        let offset = page.saturating_mul(size);
        let (rows, more) = store::participant_page(self.conn, &smp.smp_id, offset, size)?;
        Ok(Reply::Page {
            smp_id: smp.smp_id,
            participants: rows
                .into_iter()
                .map(|r| Participant {
                    scheme: r.scheme,
                    value: r.value,
                })
                .collect(),
            next_page: more.then(|| (page.saturating_add(1)).to_string()),
        })
    }

    pub(super) fn prepare_to_migrate(
        &mut self,
        smp_id: &str,
        p: &Participant,
        key: &str,
    ) -> Tx<Reply> {
        let smp = self.owned_smp(smp_id)?;
        if !migration_key::is_valid(key) {
            return Err(SmlFault::bad_request(migration_key::rule_message(key)).into());
        }
        let row = self.participant_of(&smp.smp_id, p)?;
        store::put_migration(
            self.conn,
            &MigrationRow {
                scheme: row.scheme,
                value_key: row.value_key,
                old_smp_id: smp.smp_id,
                migration_key: key.to_owned(),
            },
        )?;
        Ok(Reply::Empty)
    }

    pub(super) fn migrate(&mut self, new_smp_id: &str, p: &Participant, key: &str) -> Tx<Reply> {
        // Check order as documented for the SML: new SMP exists, a migration record exists,
        // participant still under the old SMP, caller owns the new SMP, key matches.
        let mut new_smp = self.smp(new_smp_id)?;
        let (scheme, value_key) = key_of(p);
        let Some(record) = store::find_migration(self.conn, &scheme, &value_key)? else {
            return Err(SmlFault::new(
                FaultKind::NotFound,
                111,
                format!(
                    "No migration record found for the participant identifier [{}] with scheme: [{}].",
                    p.value, p.scheme
                ),
            )
            .into());
        };
        let row = self.participant_of(&record.old_smp_id, p)?;
        self.authorize(&mut new_smp)?;
        if record.migration_key != key {
            return Err(SmlFault::bad_request(format!(
                "The migration key for the participant identifier [{}] with scheme: [{}] is not valid.",
                p.value, p.scheme
            ))
            .into());
        }
        store::move_participant(self.conn, &row.scheme, &row.value_key, &new_smp.smp_id)?;
        store::delete_migration(self.conn, &row.scheme, &row.value_key)?;
        self.dns.push(DnsChange::Set {
            scheme: row.scheme,
            value: row.value,
            logical_address: new_smp.logical_address,
        });
        Ok(Reply::Empty)
    }
}
