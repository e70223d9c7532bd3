//! SML DNS discovery: participant → NAPTR `Meta:SMP` / `U` → SMP URL.

mod naptr;
mod resolver;

pub use naptr::{DnsAnswer, NaptrRecord, select_smp_url};
pub use resolver::SmlDns;
