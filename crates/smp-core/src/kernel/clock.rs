//! The one clock: Unix milliseconds, as every stored timestamp.

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
}
