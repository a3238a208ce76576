//! The `inspect --json` line of a decoded file (interfaces.md), in the contract's key order.
//!
//! One definition for `inspect` and `import` (whose lines are the same plus `stored` and
//! `duplicate_of`), so the two can never drift apart.

use afterrun_activity::Summary;
use serde_json::{Map, Value, json};

/// A JSON object with its keys in the given order (the contract's order, easier to read than
/// sorted keys), written straight to `out` with no text in between (`inspect` writes thousands
/// of lines).
pub fn write_object(
    out: &mut impl std::io::Write,
    fields: &[(&str, Value)],
) -> std::io::Result<()> {
    out.write_all(b"{")?;
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, key)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, value)?;
    }
    out.write_all(b"}")
}

/// Whole-second UTC time as the contract writes it, `null` when absent or out of range.
pub fn time_json(seconds: Option<i64>) -> Value {
    seconds
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or(Value::Null, |t| json!(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

/// A number that is a whole count (heart rate) as an integer (`178`, not `178.0`).
pub fn whole(x: Option<f64>) -> Value {
    match x {
        Some(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e9 => json!(v as i64),
        other => json!(other),
    }
}

/// The `inspect --json` fields of a decoded file, in the contract's order.
pub fn summary_fields(file: &str, s: &Summary) -> Vec<(&'static str, Value)> {
    let t = &s.totals;
    let mut m = vec![
        ("file", json!(file)),
        ("format", json!(s.format.as_str())),
        ("ok", json!(true)),
        ("sport", json!(t.sport)),
        ("sub_sport", json!(t.sub_sport)),
        ("start_time", time_json(t.start_time)),
        ("end_time", time_json(s.end_time)),
        ("elapsed_s", json!(t.elapsed_s)),
        ("timer_s", json!(t.timer_s)),
        ("distance_m", json!(t.distance_m)),
        ("records", json!(s.records)),
        ("records_with_hr", json!(s.records_with_hr)),
        ("records_with_position", json!(s.records_with_position)),
        ("avg_hr", json!(t.avg_hr)),
        ("max_hr", whole(t.max_hr)),
        ("ascent_m", json!(t.ascent_m)),
        ("descent_m", json!(t.descent_m)),
        ("laps", json!(t.laps)),
    ];
    m.push((
        "device",
        match &s.device {
            Some(d) => json!({"manufacturer": d.manufacturer, "product": d.product}),
            None => Value::Null,
        },
    ));
    if s.sessions.len() > 1 {
        let sessions: Vec<Value> = s
            .sessions
            .iter()
            .map(|x| {
                json!({
                    "sport": x.sport, "sub_sport": x.sub_sport,
                    "start_time": time_json(x.start_time),
                    "elapsed_s": x.elapsed_s, "timer_s": x.timer_s, "distance_m": x.distance_m,
                    "avg_hr": x.avg_hr, "max_hr": whole(x.max_hr),
                    "ascent_m": x.ascent_m, "descent_m": x.descent_m, "laps": x.laps,
                })
            })
            .collect();
        m.push(("sessions", Value::Array(sessions)));
    }
    let warnings: Vec<Value> = s
        .warnings
        .iter()
        .map(|w| json!({"kind": w.kind.as_str(), "message": w.message, "offset": w.offset}))
        .collect();
    m.push(("warnings", Value::Array(warnings)));
    m
}

/// The same fields as a JSON map (for callers that add fields to the line).
pub fn summary_map(file: &str, s: &Summary) -> Map<String, Value> {
    summary_fields(file, s).into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Replaces every number that must not reach an output (a denormal such as `1.75e-214` from a
/// decayed exponential, a negative zero) with 0, in place, anywhere in the document.
pub fn clean_numbers(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if let Some(x) = n.as_f64().filter(|_| n.is_f64())
                && (x == 0.0 || x.abs() < 1e-12)
            {
                *value = json!(0.0);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(clean_numbers),
        Value::Object(map) => map.values_mut().for_each(clean_numbers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_denormal_or_negative_zero_survives() {
        let mut v = json!({"acwr": 1.75e-214, "form": -0.0, "list": [-1e-300, 2.5, 3], "n": null});
        clean_numbers(&mut v);
        assert_eq!(v.to_string(), r#"{"acwr":0.0,"form":0.0,"list":[0.0,2.5,3],"n":null}"#);
    }
}
