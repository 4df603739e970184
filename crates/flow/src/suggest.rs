//! "Did you mean" suggestions for misspelled names.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
///
/// Case differences count as small edits, so `maxattempts` finds `maxAttempts`.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance = if candidate.eq_ignore_ascii_case(word) {
            0
        } else {
            levenshtein(&lower, &candidate.to_ascii_lowercase())
        };
        let limit = (candidate.chars().count().max(word.chars().count()) / 3).clamp(1, 3);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance between two strings, in characters.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j] + 1).min(row[j + 1] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_case_slips() {
        let names = ["commands", "maxAttempts", "interval"];
        assert_eq!(did_you_mean("comands", names), Some("commands"));
        assert_eq!(did_you_mean("maxattempts", names), Some("maxAttempts"));
        assert_eq!(did_you_mean("intervall", names), Some("interval"));
        assert_eq!(did_you_mean("zzz", names), None);
    }
}
