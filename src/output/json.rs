//! `summary.json`: the figures of `summary.csv` as one JSON object.
//!
//! Built from `summary.csv` as read back from the run's staging folder, so
//! the two files cannot disagree: the same names in the same order, numbers
//! as JSON numbers (read from the CSV's text), text as strings, and an empty
//! field — a figure the run has no value for — as `null`. A number that is
//! not finite never reaches the CSV (it is written empty), so the JSON has
//! no `NaN` either.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Number, Value};

use super::charts::data::CsvTable;

/// Columns of `summary.csv` that hold text, whatever they look like (a
/// scenario may be named `2026`).
pub const TEXT_COLUMNS: &[&str] = &["scenario", "start", "end", "irr_note", "payback_month"];

/// The JSON value of one summary field.
pub fn value(column: &str, text: &str) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    if TEXT_COLUMNS.contains(&column) {
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

/// `summary.json` for the summary table (its first row), pretty-printed,
/// with a final newline.
pub fn summary_json(summary: &CsvTable) -> String {
    let row = summary.rows.first();
    let fields = summary
        .header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let text = row.and_then(|r| r.get(i)).map_or("", String::as_str);
            (name.as_str(), value(name, text))
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

    #[test]
    fn numbers_text_and_empty_fields() {
        let table = CsvTable {
            header: [
                "scenario",
                "seed",
                "availability",
                "irr",
                "irr_note",
                "npv_usd",
            ]
            .map(String::from)
            .to_vec(),
            rows: vec![
                [
                    "2026",
                    "1",
                    "0.999662",
                    "",
                    "no sign change",
                    "-961853707.78",
                ]
                .map(String::from)
                .to_vec(),
            ],
            rows_left_out: 0,
        };
        let json = summary_json(&table);
        assert_eq!(
            json,
            "{\n  \"scenario\": \"2026\",\n  \"seed\": 1,\n  \"availability\": 0.999662,\n  \"irr\": null,\n  \"irr_note\": \"no sign change\",\n  \"npv_usd\": -961853707.78\n}\n"
        );
        assert_eq!(value("hours", "NaN"), Value::Null, "never a NaN");
        assert_eq!(value("note", "n/a"), Value::String("n/a".into()));
    }
}
