//! One Schedule trigger: its cron expression in its time zone, and what to do about missed fires.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use sluice_flow::cron::Cron;
use sluice_flow::model::Trigger;
use std::time::Duration;

/// How late a fire may be handled before it counts as missed.
const MISSED_AFTER: Duration = Duration::from_secs(60);

/// Kestra's type name of the schedule trigger.
pub const SCHEDULE: &str = "io.kestra.plugin.core.trigger.Schedule";

/// What happens to fires missed while no scheduler ran (`recoverMissedSchedules`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missed {
    /// Fire once for all of them.
    Last,
    /// Fire each one, one per tick.
    All,
    /// Fire none, with a warning in the log (the default).
    None,
}

/// A parsed schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    cron: Cron,
    zone: TimeZone,
    missed: Missed,
    late_max: Option<Duration>,
}

impl Schedule {
    /// The schedule of a trigger, `None` if it is not a Schedule trigger.
    pub fn from_trigger(trigger: &Trigger) -> Result<Option<Schedule>, String> {
        if trigger.type_name != SCHEDULE {
            return Ok(None);
        }
        let p = &trigger.properties;
        let expr = p.get("cron").and_then(|v| v.as_str()).ok_or("no `cron`")?;
        let with_seconds = p.get("withSeconds").and_then(|v| v.as_bool()).unwrap_or(false);
        let cron = Cron::parse(expr, with_seconds).map_err(|e| e.to_string())?;
        let zone = match p.get("timezone").and_then(|v| v.as_str()) {
            Some(name) => TimeZone::get(name).map_err(|e| format!("time zone `{name}`: {e}"))?,
            None => TimeZone::UTC,
        };
        let missed = match p.get("recoverMissedSchedules").and_then(|v| v.as_str()) {
            Some("ALL") => Missed::All,
            Some("LAST") => Missed::Last,
            _ => Missed::None,
        };
        let late_max = p
            .get("lateMaximumDelay")
            .and_then(|v| v.as_str())
            .and_then(|s| sluice_flow::duration::parse_duration(s).ok());
        Ok(Some(Schedule {
            cron,
            zone,
            missed,
            late_max,
        }))
    }

    /// The first fire strictly after `t`.
    pub fn next_after(&self, t: Timestamp) -> Option<Timestamp> {
        self.cron
            .next_after(&t.to_zoned_datetime(self.zone.clone()))
            .map(|z| z.timestamp())
    }

    /// The fire after the due one at `due`, seen at `now`: with `ALL` the very next one (so
    /// missed fires come one per tick), else the first one after `now`.
    pub fn following(&self, due: Timestamp, now: Timestamp) -> Option<Timestamp> {
        match self.missed {
            Missed::All => self.next_after(due),
            Missed::Last | Missed::None => self.next_after(now),
        }
    }

    /// Whether the due fire at `due`, seen at `now`, was missed: the scheduler was not running
    /// then (it ticks twice a second, so a minute late means it was down).
    pub fn is_missed(&self, due: Timestamp, now: Timestamp) -> bool {
        Duration::try_from(now.duration_since(due)).unwrap_or(Duration::ZERO) > MISSED_AFTER
    }

    /// Whether the due fire at `due` still starts an execution at `now`.
    pub fn should_fire(&self, due: Timestamp, now: Timestamp) -> bool {
        let late = Duration::try_from(now.duration_since(due)).unwrap_or(Duration::ZERO);
        if self.late_max.is_some_and(|max| late > max) {
            return false;
        }
        !(self.is_missed(due, now) && self.missed == Missed::None)
    }

    /// A time as the trigger's zone sees it, in ISO-8601 with offset.
    pub fn local(&self, t: Timestamp) -> String {
        t.to_zoned_datetime(self.zone.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }
}
