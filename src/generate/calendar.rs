//! Civil-date arithmetic for the generator: day numbers, weekdays, months and timestamps.
//!
//! Days are counted from 1970-01-01 (day 0) and timestamps are seconds since its midnight.
//! All times are the shop's naive local time (Toronto): the schema stores TIMESTAMP without
//! time zone, so no zone arithmetic is wanted here.

pub const SECS_PER_DAY: i64 = 86_400;
pub const SECS_PER_HOUR: i64 = 3_600;

/// Day number of a civil date (proleptic Gregorian); Howard Hinnant's algorithm.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month 1–12, day 1–31) of a day number.
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

/// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
pub fn weekday(day: i64) -> u32 {
    (day + 3).rem_euclid(7) as u32
}

/// Month 1–12 of a day number.
pub fn month(day: i64) -> u32 {
    civil_from_days(day).1
}

pub fn day_of(ts: i64) -> i64 {
    ts.div_euclid(SECS_PER_DAY)
}

pub fn hour_of(ts: i64) -> u32 {
    (ts.rem_euclid(SECS_PER_DAY) / SECS_PER_HOUR) as u32
}

/// Timestamp of a day plus hours, minutes and seconds.
pub fn at(day: i64, h: i64, m: i64, s: i64) -> i64 {
    day * SECS_PER_DAY + h * SECS_PER_HOUR + m * 60 + s
}

fn push_2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// Appends `YYYY-MM-DD` (years 0–9999, which is all the generator can produce).
pub fn push_date(out: &mut Vec<u8>, day: i64) {
    let (y, m, d) = civil_from_days(day);
    let y = y.clamp(0, 9999) as u32;
    push_2(out, y / 100);
    push_2(out, y % 100);
    out.push(b'-');
    push_2(out, m);
    out.push(b'-');
    push_2(out, d);
}

/// Appends `YYYY-MM-DD HH:MM:SS`.
pub fn push_timestamp(out: &mut Vec<u8>, ts: i64) {
    push_date(out, day_of(ts));
    let secs = ts.rem_euclid(SECS_PER_DAY);
    out.push(b' ');
    push_2(out, (secs / 3600) as u32);
    out.push(b':');
    push_2(out, (secs / 60 % 60) as u32);
    out.push(b':');
    push_2(out, (secs % 60) as u32);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 1, 1), 19_723);
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(weekday(days_from_civil(2024, 1, 1)), 0); // a Monday
        assert_eq!(weekday(days_from_civil(2025, 12, 28)), 6); // a Sunday
        for z in 19_000..21_000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn formats_dates_and_timestamps() {
        let mut out = Vec::new();
        push_timestamp(&mut out, at(days_from_civil(2024, 3, 9), 18, 5, 7));
        out.push(b'|');
        push_date(&mut out, days_from_civil(2025, 12, 31));
        assert_eq!(String::from_utf8(out).unwrap(), "2024-03-09 18:05:07|2025-12-31");
        assert_eq!(hour_of(at(5, 21, 59, 59)), 21);
    }
}
