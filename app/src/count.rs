//! Counts in the interface's text: "1 policy", "2 policies", never "1 policies" or "rule(s)".

use std::fmt::Display;

/// `n` with the singular or the plural noun: `counted(1, "policy", "policies")` is `1 policy`.
pub fn counted<N: Display + PartialEq + From<u8>>(n: N, singular: &str, plural: &str) -> String {
    let noun = if n == N::from(1) { singular } else { plural };
    format!("{n} {noun}")
}

/// `n` with a noun whose plural takes an `s`: `count(2, "rule")` is `2 rules`.
pub fn count<N: Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    counted(n, noun, &format!("{noun}s"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(counted(1_usize, "policy", "policies"), "1 policy");
        assert_eq!(counted(0_usize, "policy", "policies"), "0 policies");
        assert_eq!(count(1_u64, "rule"), "1 rule");
        assert_eq!(count(3_usize, "rule"), "3 rules");
    }
}
