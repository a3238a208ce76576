//! UTC days as plain integers (days since 1970-01-01), converted to `jiff::civil::Date` only at
//! the edges.
//!
//! The daily series walks thousands of days; an `i64` day number makes that walk a loop over an
//! index, and the conversion (Howard Hinnant's civil-from-days algorithm, a public-domain
//! formula) is a handful of integer operations instead of calendar arithmetic per day.

use jiff::civil::Date;

/// Seconds in one UTC day.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// The UTC day (days since 1970-01-01) of a Unix time in seconds.
pub fn day_of_unix(seconds: i64) -> i64 {
    seconds.div_euclid(SECONDS_PER_DAY)
}

/// The day number of a civil date.
pub fn day_of_date(date: Date) -> i64 {
    days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day()))
}

/// The civil date of a day number, or `None` outside the years -9999..=9999 that `jiff` holds.
pub fn date_of_day(day: i64) -> Option<Date> {
    let (y, m, d) = civil_from_days(day);
    let year = i16::try_from(y).ok()?;
    // Month and day come out of the algorithm in 1..=12 and 1..=31.
    Date::new(year, m as i8, d as i8).ok()
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_dates() {
        for (s, n) in [("1970-01-01", 0), ("2000-03-01", 11_017), ("2026-11-23", 20_780)] {
            let date: Date = s.parse().unwrap();
            assert_eq!(day_of_date(date), n, "{s}");
            assert_eq!(date_of_day(n), Some(date), "{s}");
        }
        assert_eq!(day_of_unix(-1), -1);
        assert_eq!(date_of_day(i64::MAX), None);
        assert_eq!(date_of_day(i64::MIN), None);
    }

    #[test]
    fn agrees_with_jiff_over_centuries() {
        let mut date: Date = "1890-01-01".parse().unwrap();
        let mut n = day_of_date(date);
        for _ in 0..80_000 {
            assert_eq!(date_of_day(n), Some(date));
            date = date.tomorrow().unwrap();
            n += 1;
            assert_eq!(day_of_date(date), n);
        }
    }
}
