//! Counting a document against its limits while it is parsed.

use crate::error::{Limit, XmlError};
use crate::read::options::ParseOptions;

/// Running totals checked against the [`ParseOptions`] limits.
pub(super) struct Counts<'o> {
    pub(super) opts: &'o ParseOptions,
    pub(super) elements: usize,
    pub(super) attributes: usize,
    /// Namespace bindings in scope, summed over the elements so far.
    pub(super) scope: usize,
}

impl Counts<'_> {
    pub(super) fn element(&mut self) -> Result<(), XmlError> {
        self.elements += 1;
        if self.elements > self.opts.max_elements {
            return Err(XmlError::limit(Limit::Elements, self.opts.max_elements));
        }
        Ok(())
    }

    pub(super) fn scope(&mut self, in_scope: usize) -> Result<(), XmlError> {
        self.scope = self.scope.saturating_add(in_scope);
        if self.scope > self.opts.max_namespace_scope {
            return Err(XmlError::limit(
                Limit::NamespaceScope,
                self.opts.max_namespace_scope,
            ));
        }
        Ok(())
    }

    pub(super) fn attribute(&mut self, on_element: usize) -> Result<(), XmlError> {
        if on_element > self.opts.max_element_attributes {
            return Err(XmlError::limit(
                Limit::ElementAttributes,
                self.opts.max_element_attributes,
            ));
        }
        self.attributes += 1;
        if self.attributes > self.opts.max_attributes {
            return Err(XmlError::limit(Limit::Attributes, self.opts.max_attributes));
        }
        Ok(())
    }
}
