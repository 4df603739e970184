//! Kubernetes quantities (`500Mi`, `300m`, `1.5`, `2e3`), checked as the API server parses them.

/// How to write one, for help lines.
pub(super) const HELP: &str =
    "write e.g. `500Mi`, `2Gi`, `300m` or `0.5`; suffixes are m, k, M, G, T, P, E and Ki, Mi, Gi, Ti, Pi, Ei";

/// Whether `s` is a quantity: a signed decimal number and a suffix (`n`, `u`, `m`, none, `k`,
/// `M`, `G`, `T`, `P`, `E`, `Ki` … `Ei`, or an exponent like `e3`), without spaces.
pub(super) fn is_quantity(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut digits = 0;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
        digits += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return false;
    }
    let suffix = &s[i..];
    matches!(
        suffix,
        "" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"
    ) || is_exponent(suffix)
}

fn is_exponent(suffix: &str) -> bool {
    let Some(rest) = suffix.strip_prefix(['e', 'E']) else {
        return false;
    };
    let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// What a byte-style size like `512MB` or `1gb` probably meant: "`512Mi` or `512M`".
pub(super) fn suggest(s: &str) -> Option<String> {
    let base = s.strip_suffix(['B', 'b'])?;
    let last = base.chars().last()?;
    let number = &base[..base.len() - last.len_utf8()];
    let unit = last.to_ascii_uppercase();
    if "KMGTPE".contains(unit) && is_quantity(number) && number.ends_with(|c: char| c.is_ascii_digit()) {
        let decimal = if unit == 'K' { 'k' } else { unit };
        return Some(format!("`{number}{unit}i` or `{number}{decimal}`"));
    }
    is_quantity(base).then(|| format!("`{base}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_the_api_server_accepts() {
        for ok in [
            "1", "300m", "500Mi", "2Gi", "0.5", ".5", "5.", "+1", "-1", "1e3", "1E-3", "1e+3", "1E", "1k", "100n",
            "1u", "1Ei",
        ] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in [
            "", "m", "Mi", "512MB", "1K", "1 Gi", " 1", "1e", "1.2.3", "lots", "1Gib", "1mi", "-", ".", "1e3m",
        ] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }

    #[test]
    fn suggests_binary_and_decimal_for_byte_units() {
        assert_eq!(suggest("512MB").as_deref(), Some("`512Mi` or `512M`"));
        assert_eq!(suggest("1kb").as_deref(), Some("`1Ki` or `1k`"));
        assert_eq!(suggest("2GiB").as_deref(), Some("`2Gi`"));
        assert_eq!(suggest("lots"), None);
        assert_eq!(suggest("B"), None);
        assert_eq!(suggest("1éB"), None);
    }
}
