//! `summary.json`: the run's summary as one JSON object.
//!
//! Written from the summary row itself, through the columns of
//! `summary.csv` (the one declaration of its columns, see
//! [`crate::output::csv`]), so the two files cannot disagree: the same
//! names in the same order, each value formatted as the CSV writes it, a
//! number column as a JSON number, a text column as a string, and an empty
//! field — a figure the run has no value for — as `null`. A number that is
//! not finite is written empty, so the JSON has no `NaN` either.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Number, Value};

use super::csv::{Column, Kind, field_text};

/// The JSON value of a field of a column of `kind`, as the CSV writes it.
pub fn value(kind: Kind, text: &str) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    if kind == Kind::Text {
        return Value::String(text.to_string());
    }
    if let Ok(n) = text.parse::<u64>() {
        return Value::Number(n.into());
    }
    if let Ok(n) = text.parse::<i64>() {
        return Value::Number(n.into());
    }
    match text.parse::<f64>() {
        // Not finite: no JSON number can say it.
        Ok(x) => Number::from_f64(x).map_or(Value::Null, Value::Number),
        Err(_) => Value::String(text.to_string()),
    }
}

/// The fields in file order (serde_json's own map would sort them).
struct Ordered<'a>(Vec<(&'a str, Value)>);

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `summary.json` for the row `row` with the columns `columns` (those of
/// its `summary.csv`), pretty-printed, with a final newline; every value
/// `null` without a row.
pub fn summary_json<'c, R: 'static>(
    columns: impl IntoIterator<Item = &'c Column<R>>,
    row: Option<&R>,
) -> String {
    let fields = columns
        .into_iter()
        .map(|c| {
            let text = row.map_or(String::new(), |row| field_text(c, row));
            (c.name, value(c.kind, &text))
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&Ordered(fields))
        .expect("a map of strings and numbers serializes");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of a few summary figures.
    struct Row {
        scenario: &'static str,
        seed: u64,
        availability: f64,
        irr: Option<f64>,
        irr_note: &'static str,
        npv_usd: f64,
    }

    #[test]
    fn numbers_text_and_empty_fields() {
        let columns: [Column<Row>; 6] = [
            Column {
                name: "scenario",
                kind: Kind::Text,
                unit: None,
                put: |r, l| l.text(r.scenario),
            },
            Column {
                name: "seed",
                kind: Kind::Number,
                unit: None,
                put: |r, l| l.int(r.seed),
            },
            Column {
                name: "availability",
                kind: Kind::Number,
                unit: None,
                put: |r, l| l.fixed(r.availability, 6),
            },
            Column {
                name: "irr",
                kind: Kind::Number,
                unit: None,
                put: |r, l| match r.irr {
                    Some(x) => l.fixed(x, 6),
                    None => l.text(""),
                },
            },
            Column {
                name: "irr_note",
                kind: Kind::Text,
                unit: None,
                put: |r, l| l.text(r.irr_note),
            },
            Column {
                name: "npv_usd",
                kind: Kind::Number,
                unit: None,
                put: |r, l| l.fixed(r.npv_usd, 2),
            },
        ];
        let row = Row {
            scenario: "2026",
            seed: 1,
            availability: 0.999662,
            irr: None,
            irr_note: "no sign change, none",
            npv_usd: -961853707.78,
        };
        let json = summary_json(&columns, Some(&row));
        assert_eq!(
            json,
            "{\n  \"scenario\": \"2026\",\n  \"seed\": 1,\n  \"availability\": 0.999662,\n  \"irr\": null,\n  \"irr_note\": \"no sign change, none\",\n  \"npv_usd\": -961853707.78\n}\n"
        );
        assert_eq!(value(Kind::Number, "NaN"), Value::Null, "never a NaN");
        assert_eq!(value(Kind::Number, "n/a"), Value::String("n/a".into()));
    }
}
