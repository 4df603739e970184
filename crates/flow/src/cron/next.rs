//! Finding fire times: the next civil time a [`Cron`] matches, placed in a time zone.
//!
//! Kept apart from parsing because it is calendar arithmetic (leap years, weekdays, DST
//! gaps and overlaps) over the bitsets that parsing produced.

use jiff::ZonedDateTime;
use jiff::civil::DateTime;

use super::Cron;

/// How far ahead [`Cron::next_after`] looks: enough to reach every leap day (2096 → 2104).
const YEARS_AHEAD: i32 = 8;

impl Cron {
    /// The first fire time strictly after `after`, in `after`'s time zone; `None` if there is
    /// none within about 8 years (e.g. `0 0 30 2 *`).
    ///
    /// Candidates are civil times in order, placed in the zone with jiff's `compatible`
    /// rule: a time skipped by a DST jump fires just after the jump, and a repeated time
    /// fires once, at its first occurrence (so nothing fires in the hour's second pass).
    pub fn next_after(&self, after: &ZonedDateTime) -> Option<ZonedDateTime> {
        let mut start = after.datetime();
        let limit = i32::from(start.year()).saturating_add(YEARS_AHEAD);
        loop {
            let [y, mo, d, h, mi, s] = fields(start);
            let civil = self.next_civil([y, mo, d, h, mi, s + 1], limit)?;
            let zoned = after.time_zone().to_zoned_datetime(civil).ok()?;
            if zoned.timestamp() > after.timestamp() {
                return Some(zoned);
            }
            start = civil;
        }
    }

    /// Whether a civil time is one this schedule fires at (sub-seconds ignored).
    pub fn matches(&self, dt: DateTime) -> bool {
        let [y, mo, d, h, mi, s] = fields(dt);
        let [bs, bmi, bh, _, bmo, _] = self.bits;
        has(bs, s) && has(bmi, mi) && has(bh, h) && has(bmo, mo) && self.day_matches(y, mo, d)
    }

    fn day_matches(&self, y: i32, mo: i32, d: i32) -> bool {
        let dom = has(self.bits[3], d);
        let dow = has(self.bits[5], weekday(y, mo, d));
        if self.day_or { dom || dow } else { dom && dow }
    }

    /// The first matching civil time at or after `t` (year, month, day, hour, minute, second;
    /// any may be one past its range), skipping whole months, days, hours and minutes that
    /// cannot match.
    fn next_civil(&self, mut t: [i32; 6], limit: i32) -> Option<DateTime> {
        let [bs, bmi, bh, _, bmo, _] = self.bits;
        loop {
            let [y, mo, d, h, mi, s] = t;
            if y > limit {
                return None;
            }
            t = match (next_bit(bmo, mo), next_bit(bh, h), next_bit(bmi, mi)) {
                (None, ..) => [y + 1, 1, 1, 0, 0, 0],
                (Some(x), ..) if x != mo => [y, x, 1, 0, 0, 0],
                _ if d > days_in_month(y, mo) => [y, mo + 1, 1, 0, 0, 0],
                _ if !self.day_matches(y, mo, d) => [y, mo, d + 1, 0, 0, 0],
                (_, None, _) => [y, mo, d + 1, 0, 0, 0],
                (_, Some(x), _) if x != h => [y, mo, d, x, 0, 0],
                (.., None) => [y, mo, d, h + 1, 0, 0],
                (.., Some(x)) if x != mi => [y, mo, d, h, x, 0],
                _ => match next_bit(bs, s) {
                    None => [y, mo, d, h, mi + 1, 0],
                    Some(x) => {
                        let b = |v: i32| i8::try_from(v).ok();
                        let year = i16::try_from(y).ok()?;
                        return DateTime::new(year, b(mo)?, b(d)?, b(h)?, b(mi)?, b(x)?, 0).ok();
                    }
                },
            };
        }
    }
}

/// A civil time's year, month, day, hour, minute and second.
pub(super) fn fields(dt: DateTime) -> [i32; 6] {
    let [mo, d, h, mi, s] = [dt.month(), dt.day(), dt.hour(), dt.minute(), dt.second()];
    let [mo, d, h, mi, s] = [mo, d, h, mi, s].map(i32::from);
    [i32::from(dt.year()), mo, d, h, mi, s]
}
/// The first set bit at position `from` or above.
fn next_bit(bits: u64, from: i32) -> Option<i32> {
    let from = u32::try_from(from).ok().filter(|f| *f < 64)?;
    let rest = bits & (u64::MAX << from);
    (rest != 0).then(|| i32::try_from(rest.trailing_zeros()).unwrap_or(63))
}

fn has(bits: u64, v: i32) -> bool {
    next_bit(bits, v) == Some(v)
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day of the week with Sunday as 0 (proleptic Gregorian).
pub(super) fn weekday(y: i32, m: i32, d: i32) -> i32 {
    const OFFSET: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    let off = OFFSET.get(usize::try_from(m - 1).unwrap_or(0)).unwrap_or(&0);
    (y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) + off + d).rem_euclid(7)
}
