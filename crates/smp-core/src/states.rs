//! Every state the core stores, as a type. The database keeps the text of
//! [`as_str`](SmlState::as_str), spelled once in `smp_store::states`; rows are read back with `from_stored`, which turns
//! anything unknown into [`DomainError::Corrupt`](crate::DomainError::Corrupt) instead of
//! a default. The JSON form (serde) is the same text.

use serde::{Deserialize, Serialize};
use smp_store::states::{delivery_status, job_action, job_status, lifecycle, sml_state};
use utoipa::ToSchema;

/// Gives a state enum its stored text: `ALL`, `as_str`, `parse`, `from_stored`, `Display`.
/// The text is the (de)serialisation of the state, so it lives here and nowhere else.
#[macro_export]
macro_rules! stored_text {
    ($ty:ident { $($variant:ident => $text:expr),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored and serialised form.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// The value whose stored form is `text`.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }

            /// A value read back from the database; unknown text is corrupt data.
            pub fn from_stored(text: &str) -> Result<Self, $crate::DomainError> {
                Self::parse(text).ok_or_else(|| {
                    $crate::DomainError::Corrupt(format!(
                        "stored {} `{text}` is none of {:?}",
                        stringify!($ty),
                        Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>()
                    ))
                })
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.as_str().to_owned()
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Where a participant stands at the SML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmlState {
    /// Not registered and not meant to be (no SML configured, or `create-in-sml=false`).
    Unregistered,
    /// A registration is queued or being retried.
    Pending,
    /// The SML has it for this SMP.
    Registered,
    /// The SML refused; `sml_error` says why (an operator must act).
    Failed,
    /// Staged for an inbound migration: published here, not yet ours at the SML.
    Migrating,
}

stored_text!(SmlState {
    Unregistered => sml_state::UNREGISTERED,
    Pending => sml_state::PENDING,
    Registered => sml_state::REGISTERED,
    Failed => sml_state::FAILED,
    Migrating => sml_state::MIGRATING,
});

/// What an SML job asks the SML to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobAction {
    /// Register the participant for this SMP.
    Create,
    /// Remove the participant.
    Delete,
}

stored_text!(JobAction {
    Create => job_action::CREATE,
    Delete => job_action::DELETE,
});

/// Where an SML job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// The SML agrees.
    Done,
    /// The SML refused for good.
    Failed,
    /// A later job for the same participant replaced it.
    Superseded,
}

stored_text!(JobStatus {
    Pending => job_status::PENDING,
    Done => job_status::DONE,
    Failed => job_status::FAILED,
    Superseded => job_status::SUPERSEDED,
});

/// Where a webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed.
    Failed,
}

stored_text!(DeliveryStatus {
    Pending => delivery_status::PENDING,
    Delivered => delivery_status::DELIVERED,
    Failed => delivery_status::FAILED,
});

/// Whether a parked participant hands out migration keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// Access points may collect its migration key.
    Active,
    /// Collections answer `token.participant_inactive` (e.g. the enterprise stopped).
    Inactive,
}

stored_text!(Lifecycle {
    Active => lifecycle::ACTIVE,
    Inactive => lifecycle::INACTIVE,
});

#[cfg(test)]
mod tests {
    use super::{DeliveryStatus, JobAction, JobStatus, Lifecycle, SmlState};

    fn json_is_stored_text<T: serde::Serialize + Copy>(
        all: &[T],
        text: impl Fn(T) -> &'static str,
    ) {
        for v in all {
            assert_eq!(
                serde_json::to_value(v).ok(),
                Some(serde_json::Value::String(text(*v).to_owned()))
            );
        }
    }

    #[test]
    fn json_and_stored_forms_agree() {
        json_is_stored_text(SmlState::ALL, SmlState::as_str);
        json_is_stored_text(JobAction::ALL, JobAction::as_str);
        json_is_stored_text(JobStatus::ALL, JobStatus::as_str);
        json_is_stored_text(Lifecycle::ALL, Lifecycle::as_str);
        json_is_stored_text(DeliveryStatus::ALL, DeliveryStatus::as_str);
    }

    #[test]
    fn unknown_stored_text_is_corrupt_not_a_default() {
        assert_eq!(
            SmlState::from_stored("registered").ok(),
            Some(SmlState::Registered)
        );
        let err = SmlState::from_stored("REGISTERED").err().map(|e| e.code());
        assert_eq!(err, Some("internal.corrupt"));
    }
}
