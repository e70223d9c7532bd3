//! Namespace scopes while parsing: prefixes bound per element, looked up in one step.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::XML_NS;
use super::text::is_ncname;
use crate::error::XmlError;

/// The namespace bindings in scope while parsing, and the document's string table.
///
/// Lookups are one hash probe whatever the nesting or the number of declarations; each
/// element's own declarations are popped again when it closes.
pub(super) struct Namespaces {
    /// Every distinct namespace URI, local name and prefix of the document, stored once.
    pub(super) strings: HashSet<Arc<str>>,
    /// Per prefix (`""` for the default namespace), its bindings from outermost to
    /// innermost.
    pub(super) bound: HashMap<String, Vec<Arc<str>>>,
    pub(super) empty: Arc<str>,
    pub(super) xml: Arc<str>,
    /// Declarations read so far.
    pub(super) declarations: usize,
    /// Prefixes (and the default namespace) currently bound.
    pub(super) in_scope: usize,
}

impl Namespaces {
    pub(super) fn new() -> Self {
        let empty: Arc<str> = Arc::from("");
        let xml: Arc<str> = Arc::from(XML_NS);
        Self {
            strings: [empty.clone(), xml.clone()].into_iter().collect(),
            bound: HashMap::new(),
            empty,
            xml,
            declarations: 0,
            in_scope: 0,
        }
    }

    pub(super) fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(shared) = self.strings.get(s) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(s);
        self.strings.insert(shared.clone());
        shared
    }

    /// The URI bound to `prefix` (`""` = default namespace), if any.
    pub(super) fn resolve(&self, prefix: &str) -> Option<&Arc<str>> {
        if prefix == "xml" {
            return Some(&self.xml);
        }
        self.bound.get(prefix).and_then(|stack| stack.last())
    }

    pub(super) fn push(&mut self, decls: &[(String, Arc<str>)]) {
        for (prefix, uri) in decls {
            let stack = match self.bound.get_mut(prefix.as_str()) {
                Some(stack) => stack,
                None => self.bound.entry(prefix.clone()).or_default(),
            };
            if stack.is_empty() {
                self.in_scope += 1;
            }
            stack.push(uri.clone());
        }
    }

    pub(super) fn pop(&mut self, decls: &[(String, Arc<str>)]) {
        for (prefix, _) in decls {
            if let Some(stack) = self.bound.get_mut(prefix.as_str()) {
                stack.pop();
                if stack.is_empty() {
                    self.in_scope -= 1;
                }
            }
        }
    }
}

/// Splits an element or attribute name into prefix and local name, both `NCName`s.
pub(super) fn split_qname(name: &str) -> Result<(Option<&str>, &str), XmlError> {
    match name.split_once(':') {
        None if is_ncname(name) => Ok((None, name)),
        Some((p, l)) if is_ncname(p) && is_ncname(l) => Ok((Some(p), l)),
        _ => Err(XmlError::malformed(format!(
            "invalid qualified name {name:?}"
        ))),
    }
}
