//! What the domain needs from the SML, as a narrow trait (implemented over `sml-client`
//! in `crate::adapters`, and by in-memory fakes in tests).

use peppol_id::ParticipantId;

/// How an SML call failed, as far as the registration logic cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmlFailureKind {
    /// The participant is already registered (ERR-106 on create).
    AlreadyExists,
    /// The participant is not registered (ERR-110 on delete).
    NotFound,
    /// The SML refused for another reason (unauthorised certificate, bad request, a
    /// pending migration): retrying will not help; an operator must act.
    Refused,
    /// Transport failure, timeout or SML-side error: try again later. The call may have
    /// taken effect.
    Transient,
}

/// A failed SML call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmlFailure {
    /// What to do about it.
    pub kind: SmlFailureKind,
    /// A stable code, e.g. `sml.err_101` or `sml.transport`.
    pub code: String,
    /// The SML's or the transport's message.
    pub message: String,
}

impl std::fmt::Display for SmlFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// The participant operations of the SML for this SMP.
pub trait SmlRegistry: Send + Sync {
    /// The longest one call can take before it fails with a timeout (bounds how long a
    /// worker's claim on a job must last). Fakes answer at once; the default is generous.
    fn longest_call(&self) -> std::time::Duration {
        std::time::Duration::from_secs(60)
    }
    /// Registers the participant for this SMP.
    fn create_participant(&self, participant: &ParticipantId) -> Result<(), SmlFailure>;
    /// Registers up to 100 participants in one request (CreateList): all or none. The
    /// default registers them one by one (for SMLs without the bulk call, and fakes).
    fn create_participants(&self, participants: &[ParticipantId]) -> Result<(), SmlFailure> {
        participants
            .iter()
            .try_for_each(|p| self.create_participant(p))
    }
    /// Deregisters the participant from this SMP.
    fn delete_participant(&self, participant: &ParticipantId) -> Result<(), SmlFailure>;
    /// Whether the SML has the participant registered for this SMP.
    fn participant_exists(&self, participant: &ParticipantId) -> Result<bool, SmlFailure>;
    /// Every participant the SML has for this SMP.
    fn list_participants(&self) -> Result<Vec<ParticipantId>, SmlFailure>;
    /// Opens a migration of a participant of this SMP under `key` (replacing an older key).
    fn prepare_to_migrate(&self, participant: &ParticipantId, key: &str) -> Result<(), SmlFailure>;
    /// Takes a participant over to this SMP with the key its current SMP prepared.
    fn migrate(&self, participant: &ParticipantId, key: &str) -> Result<(), SmlFailure>;
    /// The SMP URL the participant's NAPTR record points at (None: not registered).
    fn lookup_smp(&self, participant: &ParticipantId) -> Result<Option<String>, SmlFailure>;
}
