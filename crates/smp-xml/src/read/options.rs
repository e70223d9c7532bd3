//! Limits and rules applied while parsing.

use crate::error::{Limit, XmlError};

/// How participant identifiers in a document are judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ParticipantRules {
    /// The Policy for use of Identifiers in full (ICD list, check digits): for documents
    /// that register something here.
    #[default]
    Policy,
    /// Only the scheme and the value syntax
    /// ([`ParticipantId::as_published`](peppol_id::ParticipantId::as_published)): for
    /// documents read from other SMPs, which still publish registrations older than the
    /// ICD rules.
    AsPublished,
}

/// Limits and rules for the parsers.
///
/// The structural limits keep what a document costs (memory, time, and the size of what
/// Ferry renders and serves from it) proportional to its size. The defaults are far above
/// what SMP documents and business cards need (tens of elements per endpoint, a handful of
/// namespaces); exceeding one gives [`XmlError::LimitExceeded`](crate::XmlError) with the
/// code of its [`Limit`](crate::Limit). Set only the fields you need and take the rest
/// from [`ParseOptions::default`]:
///
/// ```
/// let opts = smp_xml::ParseOptions { max_bytes: 1 << 20, ..smp_xml::ParseOptions::default() };
/// assert_eq!(opts.max_depth, 128);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Inputs longer than this many bytes are refused with `xml.too_large` before parsing.
    pub max_bytes: usize,
    /// How participant identifiers are checked.
    pub participants: ParticipantRules,
    /// Deepest element nesting (the root is level 1): default 128 (`xml.limit.depth`).
    /// SMP documents are about ten levels deep; the tree is walked recursively.
    pub max_depth: usize,
    /// Elements in the document: default 100,000 (`xml.limit.elements`).
    pub max_elements: usize,
    /// Attributes on one element, namespace declarations included: default 256
    /// (`xml.limit.element_attributes`).
    pub max_element_attributes: usize,
    /// Attributes in the document, namespace declarations included: default 100,000
    /// (`xml.limit.attributes`).
    pub max_attributes: usize,
    /// Bytes in one namespace URI: default 1,024 (`xml.limit.namespace_uri`).
    pub max_namespace_uri_bytes: usize,
    /// Namespace declarations in the document: default 10,000
    /// (`xml.limit.namespace_declarations`).
    pub max_namespace_declarations: usize,
    /// Namespace bindings in scope, summed over all elements: default 1,000,000
    /// (`xml.limit.namespace_scope`). This is the work inclusive C14N does when a signature
    /// is verified (every element looks at every binding in scope); 10 namespaces over
    /// 10,000 elements use 100,000.
    pub max_namespace_scope: usize,
    /// Bytes of the canonical document Ferry renders from a parsed ServiceGroup,
    /// ServiceMetadata or business card (extensions included): default 16 MiB
    /// (`xml.limit.output`).
    pub max_output_bytes: usize,
    /// The rendered document may be at most this many times the size of the input:
    /// default 4 (`xml.limit.output`). Rendering normally shrinks a document; only
    /// escaping (`>` becomes `&gt;`) and namespace declarations that each extension must
    /// carry for itself make it grow.
    pub max_output_ratio: usize,
}

impl ParseOptions {
    /// The defaults, reading participant identifiers as published (see
    /// [`ParticipantRules::AsPublished`]).
    pub fn as_published() -> Self {
        Self {
            participants: ParticipantRules::AsPublished,
            ..Self::default()
        }
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            max_bytes: 4 * 1024 * 1024,
            participants: ParticipantRules::Policy,
            max_depth: 128,
            max_elements: 100_000,
            max_element_attributes: 256,
            max_attributes: 100_000,
            max_namespace_uri_bytes: 1024,
            max_namespace_declarations: 10_000,
            max_namespace_scope: 1_000_000,
            max_output_bytes: 16 * 1024 * 1024,
            max_output_ratio: 4,
        }
    }
}

/// How many bytes of rendered output one parse may produce: the smaller of
/// [`ParseOptions::max_output_bytes`] and [`ParseOptions::max_output_ratio`] times the
/// input. Extensions are charged when their canonical text is built, and the whole
/// document is checked against the full limit once the model is complete.
#[derive(Debug)]
pub(crate) struct OutputBudget {
    limit: usize,
    used: usize,
}

impl OutputBudget {
    pub(crate) fn new(opts: &ParseOptions, input_len: usize) -> Self {
        Self {
            limit: opts
                .max_output_bytes
                .min(opts.max_output_ratio.saturating_mul(input_len)),
            used: 0,
        }
    }

    /// The whole limit (for rendering the complete document).
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// What is left for further output.
    pub(crate) fn remaining(&self) -> usize {
        self.limit - self.used
    }

    /// Takes `n` bytes from the budget.
    pub(crate) fn charge(&mut self, n: usize) -> Result<(), XmlError> {
        if n > self.remaining() {
            return Err(self.exceeded());
        }
        self.used += n;
        Ok(())
    }

    pub(crate) fn exceeded(&self) -> XmlError {
        XmlError::limit(Limit::Output, self.limit)
    }
}
