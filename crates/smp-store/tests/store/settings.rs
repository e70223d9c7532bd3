use smp_store::{Store, settings};

use crate::common::{r, w};

per_backend!(get_set_overwrite);

fn get_set_overwrite(store: &Store) {
    assert_eq!(r(store, |c| settings::get(c, "signing.fingerprint")), None);
    w(store, |c| settings::set(c, "signing.fingerprint", "aa:bb"));
    w(store, |c| settings::set(c, "other", ""));
    assert_eq!(
        r(store, |c| settings::get(c, "signing.fingerprint")).as_deref(),
        Some("aa:bb")
    );
    w(store, |c| settings::set(c, "signing.fingerprint", "cc:dd"));
    assert_eq!(
        r(store, |c| settings::get(c, "signing.fingerprint")).as_deref(),
        Some("cc:dd")
    );
    assert_eq!(r(store, |c| settings::get(c, "other")).as_deref(), Some(""));
    assert_eq!(r(store, |c| settings::get(c, "Other")), None);
}
