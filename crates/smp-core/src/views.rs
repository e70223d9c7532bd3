//! What the JSON API and the CLI show: plain serialisable views of domain state.

use crate::DomainError;
use crate::states::SmlState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::capability::{CapabilitySpec, EndpointSpec};

/// A request to create a participant with its capabilities.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewParticipant {
    /// `iso6523-actorid-upis::ICD:id`.
    pub participant: String,
    /// What it receives; may be empty.
    #[serde(default)]
    pub capabilities: Vec<CapabilitySpec>,
    /// Owner's user name (administrators only; default: the caller).
    #[serde(default)]
    pub owner: Option<String>,
    /// Register in the SML (default true; false = local only, like phoss `create-in-sml=false`).
    #[serde(default)]
    pub create_in_sml: Option<bool>,
}

/// One capability as stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityView {
    /// Document type `scheme::value`.
    pub document_type: String,
    /// Process `scheme::value`.
    pub process: String,
    /// The endpoint as published.
    pub endpoint: EndpointSpec,
    /// The endpoint profile it follows, if any.
    pub endpoint_profile: Option<String>,
}

/// A redirect to another SMP for one document type.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RedirectView {
    /// Document type `scheme::value`.
    pub document_type: String,
    /// Where senders are sent.
    pub href: String,
    /// The subject unique identifier of the target SMP's certificate.
    pub certificate_uid: String,
}

/// A participant with everything published for it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantView {
    /// `scheme::value` as registered.
    pub participant: String,
    /// The owning user.
    pub owner: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Document types with processes and endpoints.
    pub capabilities: Vec<CapabilityView>,
    /// Document types redirected elsewhere.
    pub redirects: Vec<RedirectView>,
    /// Whether a business card is published.
    pub has_business_card: bool,
    /// Where the participant stands at the SML.
    pub sml_state: SmlState,
    /// The SML's refusal, when `failed` (or the last transient error, when `pending`).
    pub sml_error: Option<String>,
}

/// A participant in a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantSummary {
    /// `scheme::value` as registered.
    pub participant: String,
    /// Where the participant stands at the SML.
    pub sml_state: SmlState,
    /// The owning user.
    pub owner: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// Paging and search for participant lists.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    /// Case-insensitive substring of the identifier.
    pub search: Option<String>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
    /// Page size (default 50, at most 1000).
    pub limit: Option<i64>,
}

/// The offset of a page request: absent means 0; a negative one is refused (it would
/// otherwise be silently read as 0 and hide the client's bug).
pub fn page_offset(offset: Option<i64>) -> Result<i64, DomainError> {
    match offset {
        None => Ok(0),
        Some(o) if o >= 0 => Ok(o),
        Some(o) => Err(DomainError::invalid(
            "offset",
            format!("{o} is negative; pages start at offset 0"),
        )),
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// All items matching.
    pub total: i64,
    /// As requested.
    pub offset: i64,
    /// As applied.
    pub limit: i64,
}

/// A reusable access point endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileSpec {
    /// Unique name, e.g. `main-as4`.
    pub name: String,
    /// The endpoint fields.
    #[serde(flatten)]
    pub endpoint: EndpointSpec,
}

/// An endpoint profile as stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    /// Unique name.
    pub name: String,
    /// The endpoint fields.
    #[serde(flatten)]
    pub endpoint: EndpointSpec,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// The result of changing an endpoint profile.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileUpdate {
    /// The profile after the change.
    pub profile: ProfileView,
    /// How many participants' documents were re-signed in the same transaction.
    pub resigned_participants: usize,
}

/// A request to create a user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUser {
    /// Unique login name: 1-64 characters from A-Z a-z 0-9 - _ . @
    #[schema(pattern = "^[A-Za-z0-9._@-]{1,64}$", example = "integration")]
    pub username: String,
    /// Password for Basic authentication, at least 8 characters (optional: token-only users
    /// have none).
    #[serde(default)]
    #[schema(min_length = 8)]
    pub password: Option<String>,
    /// Administrators may change every participant and manage users.
    #[serde(default)]
    pub admin: bool,
}

/// A user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    /// Internal id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Administrator or not.
    pub admin: bool,
    /// RFC 3339.
    pub created_at: String,
}

/// A request to create an API token.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewToken {
    /// A label, e.g. the integration using it: at most 100 characters, not only white space.
    #[schema(
        max_length = 100,
        pattern = "[^\\u0009-\\u000d\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
        example = "erp-export"
    )]
    pub name: String,
}

/// A token as listed (never the secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    /// Id (for deletion).
    pub id: i64,
    /// Label.
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, if used.
    pub last_used_at: Option<String>,
}

/// A freshly created token: the secret is shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedToken {
    /// Id (for deletion).
    pub id: i64,
    /// Label.
    pub name: String,
    /// The bearer token. Store it now: Ferry keeps only its hash.
    pub token: String,
}

/// One audit log entry.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditView {
    /// RFC 3339.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What, e.g. `service_metadata.put`.
    pub action: String,
    /// Which participant.
    pub participant: Option<String>,
    /// Which document type or object.
    pub target: Option<String>,
    /// Detail.
    pub detail: Option<String>,
}

pub fn rfc3339(unix_ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}
