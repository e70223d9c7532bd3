//! The SML's migration key rules.

const SPECIALS: &str = "@#$%()[]{}*^-!~|+=";

/// True if `key` satisfies the SML rules: 8–24 characters, at least two each of lower-case,
/// upper-case, digits and specials from `@#$%()[]{}*^-!~|+=`, and nothing else.
pub(crate) fn is_valid(key: &str) -> bool {
    let len = key.chars().count();
    if !(8..=24).contains(&len) {
        return false;
    }
    let (mut lower, mut upper, mut digit, mut special) = (0, 0, 0, 0);
    for c in key.chars() {
        if c.is_ascii_lowercase() {
            lower += 1;
        } else if c.is_ascii_uppercase() {
            upper += 1;
        } else if c.is_ascii_digit() {
            digit += 1;
        } else if SPECIALS.contains(c) {
            special += 1;
        } else {
            return false;
        }
    }
    lower >= 2 && upper >= 2 && digit >= 2 && special >= 2
}

/// The BDMSL message for a refused key (ERR-106).
pub(crate) fn rule_message(key: &str) -> String {
    format!(
        "The migration code [ {key} ] must contain a minimum of (8 characters,2 Upper Case letters,2 Lower Case letters,2 Special Characters among {SPECIALS} and 2 numbers), a maximum of 24 characters and No White Spaces."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_from_peppol_facts() {
        for ok in ["11AAbb$$", "1Ab$1Ab$", "Ab1$Cd2%Ef3^Gh4!Ij5+Kl6="] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in [
            "11AAbb$",
            "11Azbb$$",
            "11AA bb$$",
            "11AAbb__",
            "Ab1$Cd2%Ef3^Gh4!Ij5+Kl6=x",
            "77a9f1b1-0438-43f3-b56c-",
            "",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn message_matches_the_sample() {
        assert_eq!(
            rule_message("77a9f1b1-0438-43f3-b56c-"),
            "The migration code [ 77a9f1b1-0438-43f3-b56c- ] must contain a minimum of (8 characters,2 Upper Case letters,2 Lower Case letters,2 Special Characters among @#$%()[]{}*^-!~|+= and 2 numbers), a maximum of 24 characters and No White Spaces."
        );
    }
}
