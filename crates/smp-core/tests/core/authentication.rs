use std::time::{Duration, Instant};

use crate::support::{Env, each_backend};

/// How long refusing `username` with a wrong password takes.
fn refusal_time(env: &Env, username: &str) -> Duration {
    let start = Instant::now();
    let refused = env
        .registry
        .users()
        .authenticate_basic(username, "wrong-password")
        .unwrap_err();
    assert_eq!(refused.code(), "auth.invalid");
    start.elapsed()
}

/// A wrong password for a known user and any password for an unknown one (or for a user who
/// has no password, like the token-only `admin`) cost the same argon2 verification, so the
/// answer time does not tell which user names exist. (Before: about 0.5 s against 30 µs in a
/// debug build.) The three are measured in turns and the fastest of each kept, so a busy
/// machine slows all of them instead of skewing one; the bound leaves room for that noise.
#[test]
fn unknown_users_cost_as_much_as_known_ones() {
    each_backend(|env| {
        env.user("alice");
        let users = ["alice", "nobody-here", "admin"];
        let mut fastest = [Duration::MAX; 3];
        for _ in 0..4 {
            for (user, best) in users.iter().zip(&mut fastest) {
                *best = (*best).min(refusal_time(&env, user));
            }
        }
        let [known, unknown, without_password] = fastest;
        for (who, took) in [("unknown", unknown), ("token-only", without_password)] {
            assert!(
                took * 4 >= known,
                "refusing an {who} user took {took:?}, a known one {known:?}: \
                 the difference tells which user names exist"
            );
        }
    });
}
