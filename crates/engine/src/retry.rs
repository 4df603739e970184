//! Retry delays, as Kestra computes them for each retry type.

use sluice_flow::model::{Retry, RetryKind};
use std::time::Duration;

/// The delay before attempt `next_attempt` (2 for the first retry) of a task run.
///
/// `seed` makes `random` delays deterministic for a given task run and attempt, so the engine
/// stays a pure function.
pub fn delay(policy: &Retry, next_attempt: u32, seed: u64) -> Duration {
    let retries_before = next_attempt.saturating_sub(2);
    let interval = policy.interval.unwrap_or(Duration::from_secs(1));
    let cap = |d: Duration| policy.max_interval.map_or(d, |max| d.min(max));
    match policy.kind {
        RetryKind::Constant => interval,
        RetryKind::Exponential => {
            let factor = policy
                .delay_factor
                .filter(|f| f.is_finite() && *f >= 1.0)
                .unwrap_or(2.0);
            let exponent = i32::try_from(retries_before).unwrap_or(i32::MAX);
            let secs = interval.as_secs_f64() * factor.powi(exponent);
            cap(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
        }
        RetryKind::Random => {
            let min = policy.min_interval.unwrap_or(Duration::ZERO);
            let max = policy.max_interval.unwrap_or(min).max(min);
            let unit = (splitmix(seed ^ u64::from(next_attempt)) >> 11) as f64 / (1u64 << 53) as f64;
            min + (max - min).mul_f64(unit)
        }
    }
}

/// Whether another attempt may start: fewer than `maxAttempts` so far, and still within
/// `maxDuration` of the first attempt's start once the delay has passed.
pub fn allows(policy: &Retry, attempts_so_far: u32, since_first_start: Duration, delay: Duration) -> bool {
    let by_count = policy.max_attempts.is_none_or(|max| attempts_so_far < max);
    let by_time = policy.max_duration.is_none_or(|max| since_first_start + delay <= max);
    by_count && by_time
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_flow::model::RetryBehavior;

    fn policy(kind: RetryKind) -> Retry {
        Retry {
            kind,
            interval: Some(Duration::from_millis(200)),
            max_interval: Some(Duration::from_secs(1)),
            min_interval: Some(Duration::from_millis(100)),
            delay_factor: None,
            max_attempts: Some(5),
            max_duration: None,
            warning_on_retry: false,
            behavior: RetryBehavior::RetryFailedTask,
        }
    }

    #[test]
    fn exponential_doubles_up_to_the_cap() {
        let p = policy(RetryKind::Exponential);
        let delays: Vec<u128> = (2..=6).map(|a| delay(&p, a, 0).as_millis()).collect();
        assert_eq!(delays, vec![200, 400, 800, 1000, 1000]);
    }

    #[test]
    fn constant_and_random_stay_in_bounds() {
        assert_eq!(delay(&policy(RetryKind::Constant), 4, 0), Duration::from_millis(200));
        let p = policy(RetryKind::Random);
        for seed in 0..100 {
            let d = delay(&p, 2, seed);
            assert!(d >= Duration::from_millis(100) && d <= Duration::from_secs(1), "{d:?}");
        }
        assert_eq!(delay(&p, 2, 7), delay(&p, 2, 7), "deterministic for a seed");
    }

    #[test]
    fn limits_by_count_and_duration() {
        let mut p = policy(RetryKind::Constant);
        assert!(allows(&p, 4, Duration::ZERO, Duration::ZERO));
        assert!(!allows(&p, 5, Duration::ZERO, Duration::ZERO));
        p.max_duration = Some(Duration::from_secs(10));
        assert!(!allows(&p, 1, Duration::from_secs(9), Duration::from_secs(2)));
    }
}
