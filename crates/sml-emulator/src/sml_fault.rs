use serde::{Deserialize, Serialize};

/// The four fault kinds of the SML WSDLs; the kind is the element name inside `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultKind {
    /// `BadRequestFault`, HTTP 400.
    BadRequest,
    /// `UnauthorizedFault`, HTTP 401.
    Unauthorized,
    /// `NotFoundFault`, HTTP 404.
    NotFound,
    /// `InternalErrorFault`, HTTP 500.
    InternalError,
}

impl FaultKind {
    /// The HTTP status BDMSL sends with this kind of fault.
    pub fn http_status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::NotFound => 404,
            Self::InternalError => 500,
        }
    }

    /// The `detail` child element name.
    pub fn element(self) -> &'static str {
        match self {
            Self::BadRequest => "BadRequestFault",
            Self::Unauthorized => "UnauthorizedFault",
            Self::NotFound => "NotFoundFault",
            Self::InternalError => "InternalErrorFault",
        }
    }
}

/// A SOAP fault as the SML sends it: a kind, an `ERR-nnn` code and a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmlFault {
    /// Which `detail` element (and HTTP status).
    pub kind: FaultKind,
    /// The number in `[ERR-nnn]`.
    pub code: u16,
    /// The text after `[ERR-nnn] `.
    pub message: String,
}

impl SmlFault {
    pub(crate) fn new(kind: FaultKind, code: u16, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(FaultKind::BadRequest, 106, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(FaultKind::InternalError, 105, message)
    }

    pub(crate) fn smp_not_found(smp_id: &str) -> Self {
        Self::new(
            FaultKind::NotFound,
            100,
            format!("The SMP '{smp_id}' doesn't exist."),
        )
    }

    /// `FaultMessage` text: `[ERR-nnn] message`.
    pub fn fault_message(&self) -> String {
        format!("[ERR-{}] {}", self.code, self.message)
    }
}
