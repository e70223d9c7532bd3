//! The secret an SMP hands out so that another SMP can take a participant over.

use std::fmt;

use crate::error::SmlError;

/// The special characters the SML accepts in a migration key (`_` is not one of them).
const SPECIALS: &str = "@#$%()[]{}*^-!~|+=";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";
const MIN_LEN: usize = 8;
const MAX_LEN: usize = 24;
/// How many of each class the SML requires.
const MIN_PER_CLASS: usize = 2;

/// A migration key that satisfies the SML's rules: 8 to 24 characters, at least two
/// lower-case letters, two upper-case letters, two digits and two of `@#$%()[]{}*^-!~|+=`,
/// nothing else (no whitespace).
///
/// `Debug` does not show the key: it is a secret that lets anyone holding it take the
/// participant over. Use [`as_str`](Self::as_str) where it must be sent or stored.
#[derive(Clone, PartialEq, Eq)]
pub struct MigrationKey(String);

impl MigrationKey {
    /// Checks `s` against the SML's rules.
    ///
    /// # Errors
    ///
    /// [`SmlError::InvalidMigrationKey`] whose reason names the first rule broken (without
    /// repeating the key).
    pub fn new(s: &str) -> Result<Self, SmlError> {
        let len = s.chars().count();
        let broken = |reason: String| Err(SmlError::InvalidMigrationKey { reason });
        if len < MIN_LEN {
            return broken(format!("{len} characters, at least {MIN_LEN} are required"));
        }
        if len > MAX_LEN {
            return broken(format!("{len} characters, at most {MAX_LEN} are allowed"));
        }
        if let Some((i, c)) = s.char_indices().find(|(_, c)| c.is_whitespace()) {
            return broken(format!(
                "whitespace {c:?} at position {} is not allowed",
                s[..i].chars().count() + 1
            ));
        }
        let (mut lower, mut upper, mut digits, mut specials) = (0, 0, 0, 0);
        for (i, c) in s.char_indices() {
            match c {
                'a'..='z' => lower += 1,
                'A'..='Z' => upper += 1,
                '0'..='9' => digits += 1,
                c if SPECIALS.contains(c) => specials += 1,
                // The character itself is not echoed: the key is a secret.
                _ => {
                    return broken(format!(
                        "the character at position {} is not a letter, digit or one of {SPECIALS}",
                        s[..i].chars().count() + 1
                    ));
                }
            }
        }
        for (count, what) in [
            (lower, "lower-case letters"),
            (upper, "upper-case letters"),
            (digits, "digits"),
            (specials, "special characters among @#$%()[]{}*^-!~|+="),
        ] {
            if count < MIN_PER_CLASS {
                return broken(format!(
                    "{count} {what}, at least {MIN_PER_CLASS} are required"
                ));
            }
        }
        Ok(Self(s.to_owned()))
    }

    /// A fresh 24-character key from OpenSSL's cryptographic random generator; it always
    /// satisfies the rules.
    ///
    /// # Panics
    ///
    /// If OpenSSL's random generator fails, which only happens when the process cannot get
    /// entropy at all; use [`try_generate`](Self::try_generate) to handle that as an error.
    #[allow(clippy::expect_used)] // Documented: no entropy is not a condition callers can handle.
    pub fn generate() -> Self {
        Self::try_generate().expect("OpenSSL random generator failed")
    }

    /// Like [`generate`](Self::generate), reporting a random-generator failure as
    /// [`SmlError::Config`].
    ///
    /// # Errors
    ///
    /// [`SmlError::Config`] if OpenSSL cannot produce random bytes.
    pub fn try_generate() -> Result<Self, SmlError> {
        let classes: [&[u8]; 4] = [
            LOWER.as_bytes(),
            UPPER.as_bytes(),
            DIGITS.as_bytes(),
            SPECIALS.as_bytes(),
        ];
        let all: Vec<u8> = classes.concat();
        let mut rng = Rng::new();
        let mut key: Vec<u8> = Vec::with_capacity(MAX_LEN);
        // The minimum of each class first, the rest from the whole alphabet, then a shuffle so
        // the guaranteed characters are not at predictable positions.
        for class in classes {
            for _ in 0..MIN_PER_CLASS {
                key.push(class[rng.below(class.len())?]);
            }
        }
        while key.len() < MAX_LEN {
            key.push(all[rng.below(all.len())?]);
        }
        for i in (1..key.len()).rev() {
            let j = rng.below(i + 1)?;
            key.swap(i, j);
        }
        let key = String::from_utf8(key)
            .map_err(|_| SmlError::config("generated migration key is not ASCII"))?;
        Self::new(&key)
    }

    /// The key, to send to the SML or hand to the new SMP.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MigrationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MigrationKey(<redacted>)")
    }
}

impl std::str::FromStr for MigrationKey {
    type Err = SmlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// Uniform small random numbers from OpenSSL's CSPRNG, buffered.
struct Rng {
    buf: [u8; 64],
    pos: usize,
}

impl Rng {
    fn new() -> Self {
        Self {
            buf: [0; 64],
            pos: 64,
        }
    }

    fn byte(&mut self) -> Result<u8, SmlError> {
        if self.pos == self.buf.len() {
            openssl::rand::rand_bytes(&mut self.buf)
                .map_err(|e| SmlError::config(format!("OpenSSL random generator failed: {e}")))?;
            self.pos = 0;
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(b)
    }

    /// A uniform number in `0..n` for `1 <= n <= 256`, by rejection sampling (no modulo bias).
    fn below(&mut self, n: usize) -> Result<usize, SmlError> {
        let limit = 256 - 256 % n;
        loop {
            let b = usize::from(self.byte()?);
            if b < limit {
                return Ok(b % n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> String {
        match MigrationKey::new(s) {
            Err(SmlError::InvalidMigrationKey { reason }) => reason,
            other => panic!("{s:?} accepted: {other:?}"),
        }
    }

    #[test]
    fn examples_from_the_rules() {
        for ok in [
            "11AAbb$$",
            "1Ab$1Ab$",
            "Ab1$Cd2%Ef3^Gh4!Ij5+Kl6=",
            "aaBB00()[]{}",
        ] {
            assert_eq!(MigrationKey::new(ok).unwrap().as_str(), ok);
        }
        assert!(reason("11AAbb$").contains("at least 8"));
        assert!(reason("11Azbb$$").contains("upper-case"));
        assert!(reason("11AA bb$$").contains("whitespace"));
        assert!(reason("11AAbb$_").contains("position 8"));
        assert!(reason("11AAbbc_$").contains("position 8"));
        assert!(reason("11AAbbcd").contains("special"));
        assert!(reason("xxAAbb$$").contains("digits"));
        assert!(reason("11AABB$$").contains("lower-case"));
        assert!(reason(&"1Ab$".repeat(7)).contains("at most 24"));
        assert!(reason("11AAbb$$é").contains("position 9"));
    }

    #[test]
    fn reasons_never_contain_the_key() {
        let secret = "Secret9_Key";
        assert!(!reason(secret).contains(secret));
        assert!(!reason(secret).contains('_'));
    }

    #[test]
    fn debug_is_redacted() {
        let k = MigrationKey::new("11AAbb$$").unwrap();
        assert!(!format!("{k:?}").contains("11AAbb"));
    }

    #[test]
    fn generated_keys_are_always_valid_and_differ() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let k = MigrationKey::generate();
            assert_eq!(k.as_str().len(), MAX_LEN);
            MigrationKey::new(k.as_str()).unwrap();
            assert!(seen.insert(k.as_str().to_owned()), "duplicate key");
        }
    }

    #[test]
    fn generated_keys_use_the_whole_alphabet() {
        let mut used = std::collections::HashSet::new();
        for _ in 0..200 {
            used.extend(MigrationKey::generate().as_str().chars());
        }
        let alphabet: String = [LOWER, UPPER, DIGITS, SPECIALS].concat();
        assert_eq!(used.len(), alphabet.len());
    }
}
