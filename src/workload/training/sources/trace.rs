//! Job traces (`[[traces]]`): the rows of a generic CSV file or of an
//! Alibaba PAI GPU task list, each checked and made a row of a job, or
//! refused as a [`RowError`] at its line and column. The scenario boundary resolves
//! the trace's settings before and turns the rows into jobs after, and
//! each error into a message located in the file.

use std::collections::BTreeMap;

use crate::engine::{SimDuration, SimTime};
use crate::input::MAX_MAGNITUDE;
use crate::text::{did_you_mean_value, number, parse_duration, quote_short};
use crate::world::config::RackType;

use super::{MAX_JOB_QUANTITY, domains_of};

/// Most jobs one `[[traces]]` file may give.
pub const MAX_TRACE_JOBS: usize = 1_000_000;

/// The column names of the generic trace CSV, declared once.
pub mod trace_columns {
    /// When the job is submitted.
    pub const SUBMIT: &str = "submit";
    /// The chips the job needs.
    pub const CHIPS: &str = "chips";
    /// Its run time without failures (this or `flops`).
    pub const IDEAL_DURATION: &str = "ideal_duration";
    /// Its work in floating-point operations (this or `ideal_duration`).
    pub const FLOPS: &str = "flops";
    /// Its name (optional).
    pub const NAME: &str = "name";
    /// The rack type it runs on (optional).
    pub const RACK: &str = "rack";
}
use trace_columns::{CHIPS, FLOPS, IDEAL_DURATION, NAME, RACK, SUBMIT};

/// The column names of the Alibaba GPU v2023 task list that dcsim reads,
/// declared once.
pub mod alibaba_columns {
    /// The task's name.
    pub const NAME: &str = "name";
    /// GPUs the task asks for.
    pub const NUM_GPU: &str = "num_gpu";
    /// Thousandths of a GPU per GPU asked (1000 for a whole GPU).
    pub const GPU_MILLI: &str = "gpu_milli";
    /// When the task was created \[s\].
    pub const CREATION_TIME: &str = "creation_time";
    /// When it was deleted \[s\].
    pub const DELETION_TIME: &str = "deletion_time";
    /// When it was scheduled \[s\] (empty if never).
    pub const SCHEDULED_TIME: &str = "scheduled_time";
    /// The GPU model it asked for (optional).
    pub const GPU_SPEC: &str = "gpu_spec";
}

/// Columns of the generic trace CSV but `rack`.
pub const TRACE_COLUMNS: [&str; 5] = [SUBMIT, CHIPS, IDEAL_DURATION, FLOPS, NAME];

/// A problem of one line of a trace file: where it is (line 1 is the
/// header) and what is wrong, with the fix. A problem of one field (of a
/// row, or a column name of the header) is placed at that field's first
/// character after the blanks the reader trims, its column counting
/// characters from the start of its line as the scenario file's locations
/// do; a problem of a whole row or header (an unreadable row, work given
/// both ways or neither, a required column missing) at column 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// Line of the file, from 1.
    pub line: u64,
    /// Column of the line, from 1, in characters.
    pub column: u64,
    /// What is wrong, and the fix.
    pub message: String,
}

impl RowError {
    fn at(line: u64, message: String) -> RowError {
        RowError {
            line,
            column: 1,
            message,
        }
    }
}

/// A row's problem: the index of the field at fault in its record, if one
/// field is, and what is wrong.
type RowProblem = (Option<usize>, String);

/// Puts a field's problem at field `i`: for `map_err`.
fn field(i: usize) -> impl Fn(String) -> RowProblem {
    move |message| (Some(i), message)
}

/// Where field `i` of the record starting at byte `start` of `text` (on
/// line `line`) begins: its line and its column in characters, both from
/// 1, at its first character after leading blanks (the reader trims
/// them). Reads the record as the CSV reader does: commas and line breaks
/// inside double quotes belong to the field. Called only for a refused
/// field: O(the record's length).
pub fn field_place(text: &str, start: usize, line: u64, i: usize) -> (u64, u64) {
    let (mut line, mut column) = (line, 1u64);
    let mut chars = text.get(start..).unwrap_or("").chars().peekable();
    let (mut index, mut quoted) = (0usize, false);
    let mut at_start = true;
    while let Some(&c) = chars.peek() {
        if index == i && at_start && c != ' ' && c != '\t' {
            break;
        }
        chars.next();
        match c {
            '"' => {
                quoted = !quoted;
                at_start = false;
            }
            ',' if !quoted => {
                index += 1;
                at_start = true;
            }
            '\n' if quoted => {
                line += 1;
                column = 0;
            }
            '\n' | '\r' => break,
            ' ' | '\t' => {}
            _ => at_start = false,
        }
        column += 1;
    }
    (line, column)
}

/// What reading a trace needs besides its text: its name, its default
/// rack model, and the world's rack models and room.
pub struct TraceContext<'a> {
    /// The trace's name (a row's job is `<name>-<line>` or, in an Alibaba
    /// trace, `<name>-<task name>`).
    pub name: &'a str,
    /// Index into `rack_types` of the trace's `rack`, if it gives one.
    pub rack: Option<usize>,
    /// Alibaba: GPU model named in `gpu_spec` → index into `rack_types`.
    pub gpu_racks: &'a BTreeMap<String, usize>,
    /// The rack models built.
    pub rack_types: &'a [RackType],
    /// Most domains of each rack model one site builds over the run.
    pub most: &'a [u64],
    /// End of the run: rows submitted at or after it are refused (CSV) or
    /// skipped (Alibaba).
    pub end: SimTime,
}

/// A trace row's work.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowWork {
    /// Failure-free compute time at full speed.
    Ideal(SimDuration),
    /// Total work \[FLOP\].
    Flops(f64),
}

/// One admitted trace row.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    /// Its line in the file.
    pub line: u64,
    /// The job's name.
    pub name: String,
    /// Index into the rack models.
    pub rack: usize,
    /// Chips held (whole scale-up domains).
    pub chips: u32,
    /// Submission time.
    pub submit: SimTime,
    /// Its work.
    pub work: RowWork,
    /// Byte offset of its record in the file.
    pub start: usize,
    /// Index of the field its name comes from, if the row gives it (a
    /// generic CSV row without one is named after its line).
    pub name_field: Option<usize>,
}

impl TraceRow {
    /// Where the row's name is in `text`, the file it was read from: the
    /// line and column of its name field ([`field_place`]), or the row's
    /// line and column 1 when its name is made from the line. For a name
    /// refused by the boundary (one another job has).
    pub fn name_place(&self, text: &str) -> (u64, u64) {
        match self.name_field {
            Some(i) => field_place(text, self.start, self.line, i),
            None => (self.line, 1),
        }
    }
}

/// A number of a trace column: finite, within ±[`MAX_MAGNITUDE`] as TOML
/// values are, and at least 0.
pub fn trace_number(raw: &str, column: &str) -> Result<f64, String> {
    let raw_q = quote_short(raw);
    match raw.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&x) => Ok(x),
        Ok(x) if x.is_finite() && x > MAX_MAGNITUDE => Err(format!(
            "`{column}` {} is beyond any plausible value (the limit is {MAX_MAGNITUDE:e}, as in the scenario file)",
            number(x)
        )),
        _ => Err(format!(
            "`{column}` must be a finite number ≥ 0, found \"{raw_q}\""
        )),
    }
}

/// A whole count of a trace column (at most `u32::MAX`).
pub fn trace_count(raw: &str, column: &str) -> Result<u32, String> {
    let raw_q = quote_short(raw);
    raw.parse::<u32>().map_err(|_| {
        format!(
            "`{column}` must be a whole number from 0 to {}, found \"{raw_q}\"",
            u32::MAX
        )
    })
}

/// The header and records of a trace CSV; the header's problem (line 1)
/// when it is unreadable, names a column twice or lacks a required one.
fn trace_reader<'t>(
    text: &'t str,
    required: &[&str],
) -> Result<(csv::StringRecord, csv::Reader<&'t [u8]>), RowError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(RowError::at(1, format!("not a CSV file: {e}"))),
    };
    if let Some((i, twice)) = headers
        .iter()
        .enumerate()
        .find(|&(i, h)| headers.iter().take(i).any(|g| g == h))
    {
        return Err(header_error(
            text,
            &headers,
            i,
            format!(
                "the header names the column `{}` twice; give each column once",
                quote_short(twice)
            ),
        ));
    }
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .collect();
    if !missing.is_empty() {
        return Err(RowError::at(
            1,
            format!(
                "the header lacks the column(s) {} (required: {})",
                missing.join(", "),
                required.join(", ")
            ),
        ));
    }
    Ok((headers, reader))
}

/// A problem of the header's field `i`, placed at that field (the header
/// is the first record: line 1, unless a quoted name spans lines).
fn header_error(text: &str, headers: &csv::StringRecord, i: usize, message: String) -> RowError {
    let start = headers.position().map_or(0, |p| p.byte()) as usize;
    let (line, column) = field_place(text, start, 1, i);
    RowError {
        line,
        column,
        message,
    }
}

/// The records of a trace CSV with their lines, each passed to `row`,
/// which admits it (`Ok(Some)`), skips it (`Ok(None)`) or refuses it; at
/// most [`MAX_TRACE_JOBS`] rows admitted. Every problem, in line order.
fn each_record(
    text: &str,
    mut reader: csv::Reader<&[u8]>,
    mut row: impl FnMut(u64, &csv::StringRecord) -> Result<Option<TraceRow>, RowProblem>,
) -> Result<Vec<TraceRow>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError::at(line, format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if rows.len() >= MAX_TRACE_JOBS {
            errors.push(RowError::at(
                line,
                format!("a trace gives at most {MAX_TRACE_JOBS} jobs; split the file"),
            ));
            break;
        }
        match row(line, &record) {
            Ok(Some(r)) => rows.push(r),
            Ok(None) => {}
            Err((None, message)) => errors.push(RowError::at(line, message)),
            Err((Some(i), message)) => {
                let start = record.position().map_or(0, |p| p.byte()) as usize;
                let (line, column) = field_place(text, start, line, i);
                errors.push(RowError {
                    line,
                    column,
                    message,
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Where the columns of a generic trace CSV are.
#[derive(Clone, Copy)]
struct CsvColumns {
    submit: usize,
    chips: usize,
    ideal_duration: Option<usize>,
    flops: Option<usize>,
    name: Option<usize>,
    rack: Option<usize>,
}

/// The rows of a generic trace CSV (columns `submit`, `chips`,
/// `ideal_duration` or `flops`, and optionally `name` and `rack`), each
/// checked; every refused row (or the header's problem) when any is.
pub fn csv_rows(text: &str, cx: &TraceContext) -> Result<Vec<TraceRow>, Vec<RowError>> {
    let (headers, reader) = trace_reader(text, &[]).map_err(|e| vec![e])?;
    let col = |name: &str| headers.iter().position(|h| h == name);
    let header = |message: String| vec![RowError::at(1, message)];
    for (i, h) in headers.iter().enumerate() {
        let h_q = quote_short(h);
        if !TRACE_COLUMNS.contains(&h) && h != RACK {
            let hint = did_you_mean_value(h, TRACE_COLUMNS.iter().copied().chain([RACK]));
            return Err(vec![header_error(
                text,
                &headers,
                i,
                format!(
                    "unknown column `{h_q}`{hint} (columns: submit, chips, ideal_duration or flops, name, rack)"
                ),
            )]);
        }
    }
    let (Some(submit), Some(chips)) = (col(SUBMIT), col(CHIPS)) else {
        return Err(header(
            "the header needs the columns `submit` and `chips`".into(),
        ));
    };
    if col(IDEAL_DURATION).is_none() && col(FLOPS).is_none() {
        return Err(header(
            "the header needs a column `ideal_duration` or `flops` (the job's work)".into(),
        ));
    }
    let columns = CsvColumns {
        submit,
        chips,
        ideal_duration: col(IDEAL_DURATION),
        flops: col(FLOPS),
        name: col(NAME),
        rack: col(RACK),
    };
    let built: Vec<&str> = cx.rack_types.iter().map(|t| t.rack.name.as_str()).collect();
    each_record(text, reader, |line, record| {
        csv_row(line, record, columns, cx, &built).map(Some)
    })
}

/// One row of a generic trace CSV.
fn csv_row(
    line: u64,
    record: &csv::StringRecord,
    c: CsvColumns,
    cx: &TraceContext,
    built: &[&str],
) -> Result<TraceRow, RowProblem> {
    let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
    let submit_text = get(Some(c.submit));
    let submit_text_q = quote_short(submit_text);
    let offset = parse_duration(submit_text)
        .map_err(|e| format!("`submit` is an offset from the start of the run: {e}"))
        .map_err(field(c.submit))?;
    let submit = SimTime::ZERO
        .checked_add(offset)
        .filter(|t| *t < cx.end)
        .ok_or_else(|| {
            format!("`submit` {submit_text_q} after the start is past the end of the run")
        })
        .map_err(field(c.submit))?;
    let chips_text = get(Some(c.chips));
    let chips = trace_count(chips_text, CHIPS).map_err(field(c.chips))?;
    if chips == 0 {
        return Err((Some(c.chips), "`chips` must be at least 1, found 0".into()));
    }
    let rack_text = get(c.rack);
    let rack_text_q = quote_short(rack_text);
    let rack = if rack_text.is_empty() {
        cx.rack.ok_or_else(|| {
            (
                c.rack,
                "the row names no rack model and the trace gives no `rack`; add one to either"
                    .to_string(),
            )
        })?
    } else {
        built.iter().position(|n| *n == rack_text).ok_or_else(|| {
            let hint = did_you_mean_value(rack_text, built.iter().copied());
            (
                c.rack,
                format!(
                    "no built rack model is named \"{rack_text_q}\"{hint} (built: {})",
                    built.join(", ")
                ),
            )
        })?
    };
    domains_of(chips, &cx.rack_types[rack], cx.most[rack], false).map_err(field(c.chips))?;
    let (ideal, flops) = (get(c.ideal_duration), get(c.flops));
    let work = match (ideal.is_empty(), flops.is_empty()) {
        (false, true) => {
            let at = c.ideal_duration;
            let t = parse_duration(ideal).map_err(|e| (at, format!("`ideal_duration`: {e}")))?;
            if t.0 == 0 {
                return Err((at, "`ideal_duration` must be longer than 0".into()));
            }
            RowWork::Ideal(t)
        }
        (true, false) => {
            // Held to the bound of the TOML `flops` key.
            let f = flops.parse::<f64>().unwrap_or(f64::NAN);
            if !f.is_finite() || f <= 0.0 || f > MAX_JOB_QUANTITY {
                return Err((
                    c.flops,
                    format!(
                        "`flops` must be greater than 0 and at most {MAX_JOB_QUANTITY:e}, found \"{}\"",
                        quote_short(flops)
                    ),
                ));
            }
            RowWork::Flops(f)
        }
        _ => {
            return Err((
                None,
                "give the job's work one way: `ideal_duration` or `flops`, exactly one of them non-empty".into(),
            ));
        }
    };
    let name = get(c.name);
    let (name, name_field) = if name.is_empty() {
        (format!("{}-{line}", cx.name), None)
    } else {
        (name.to_string(), c.name)
    };
    Ok(TraceRow {
        line,
        name,
        rack,
        chips,
        submit,
        work,
        start: record.position().map_or(0, |p| p.byte()) as usize,
        name_field,
    })
}

/// Rows of an Alibaba task list skipped, by the first admission rule they
/// fail: no GPU, a fraction of one, never scheduled, no run time, created
/// at or after the end of the run.
pub type Skipped = [u64; 5];

/// The admitted rows of an Alibaba GPU v2023 task list (see the README):
/// a task becomes a job when it asks for whole GPUs (`num_gpu` ≥ 1 and
/// `gpu_milli` = 1000), was scheduled, ran for a positive time
/// (`deletion_time` > `scheduled_time`) and was created before the end of
/// the run. Its rack model is the trace's `rack` when `gpu_spec` is empty
/// or absent, else that of the first GPU model it lists that
/// `gpu_racks` maps. Malformed rows, rows whose GPU models are not mapped
/// and tasks larger than one rack of their model are refused. A trace
/// without a `rack` gives no row and no error of its own (the boundary
/// reports the missing key).
pub fn alibaba_rows(
    text: &str,
    cx: &TraceContext,
) -> Result<(Vec<TraceRow>, Skipped), Vec<RowError>> {
    use alibaba_columns as a;
    let required = [
        a::NAME,
        a::NUM_GPU,
        a::GPU_MILLI,
        a::CREATION_TIME,
        a::DELETION_TIME,
        a::SCHEDULED_TIME,
    ];
    let (headers, reader) = trace_reader(text, &required).map_err(|e| vec![e])?;
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or(0);
    let [ni, gi, mi, ci, di, si] = required.map(col);
    let spec_col = headers.iter().position(|h| h == a::GPU_SPEC);
    let Some(default_rack) = cx.rack else {
        return Err(Vec::new());
    };
    let mut skipped: Skipped = [0; 5];
    let rows = each_record(text, reader, |line, record| {
        let get = |i: usize| record.get(i).unwrap_or("");
        let gpus = trace_count(get(gi), a::NUM_GPU).map_err(field(gi))?;
        let milli = trace_count(get(mi), a::GPU_MILLI).map_err(field(mi))?;
        let created = trace_number(get(ci), a::CREATION_TIME).map_err(field(ci))?;
        let deleted = trace_number(get(di), a::DELETION_TIME).map_err(field(di))?;
        let scheduled = match get(si) {
            "" => None,
            raw => Some(trace_number(raw, a::SCHEDULED_TIME).map_err(field(si))?),
        };
        // Skipped by the first rule a row fails, in the README's order.
        let mut skip = |why: usize| {
            skipped[why] += 1;
            Ok(None)
        };
        if gpus == 0 {
            return skip(0);
        }
        if milli != 1000 {
            return skip(1);
        }
        let Some(scheduled) = scheduled else {
            return skip(2);
        };
        if deleted <= scheduled {
            return skip(3);
        }
        let submit = SimTime::ZERO.checked_add(SimDuration::from_secs_f64(created));
        let Some(submit) = submit.filter(|t| *t < cx.end) else {
            return skip(4);
        };
        let spec = spec_col.map_or("", get);
        let rack = match gpu_spec_rack(spec, gpus, cx.gpu_racks, cx.rack_types)
            .map_err(|e| e.placed(gi, spec_col))?
        {
            Some(r) => r,
            None if gpus > cx.rack_types[default_rack].rack.chips => {
                let r = &cx.rack_types[default_rack].rack;
                return Err((
                    Some(gi),
                    format!(
                        "`num_gpu` {gpus} is more than a rack of {} holds ({} chips): a task of this trace runs on one server, so give the trace's `rack` a rack model of at least {gpus} chips",
                        r.name, r.chips
                    ),
                ));
            }
            None => default_rack,
        };
        let rt = &cx.rack_types[rack];
        let per = rt.rack.scaleup_domain.max(1);
        let chips = gpus
            .checked_next_multiple_of(per)
            .ok_or_else(|| format!("`num_gpu` {gpus} is too large"))
            .map_err(field(gi))?;
        domains_of(chips, rt, cx.most[rack], false).map_err(field(gi))?;
        let ideal = SimDuration::from_secs_f64(deleted - scheduled);
        Ok(Some(TraceRow {
            line,
            name: format!("{}-{}", cx.name, get(ni)),
            rack,
            chips,
            submit,
            work: RowWork::Ideal(ideal),
            start: record.position().map_or(0, |p| p.byte()) as usize,
            name_field: Some(ni),
        }))
    })?;
    Ok((rows, skipped))
}

/// The rack type of an Alibaba row's `gpu_spec` (`"V100M16|V100M32"`: GPU
/// models separated by `|`) for a task of `gpus` GPUs: that of the first
/// listed model `racks` maps whose racks hold `gpus` chips (a task runs on
/// one server); `None` for an empty spec (any GPU: the trace's `rack`); an
/// error naming the fix when `racks` maps none of them or none that large.
pub fn gpu_spec_rack(
    spec: &str,
    gpus: u32,
    racks: &BTreeMap<String, usize>,
    rack_types: &[RackType],
) -> Result<Option<usize>, SpecError> {
    let spec_q = quote_short(spec);
    let models: Vec<&str> = spec
        .split('|')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    let Some(first) = models.first() else {
        return Ok(None);
    };
    let first = quote_short(first);
    let mapped: Vec<(&str, usize)> = models
        .iter()
        .filter_map(|m| racks.get(*m).map(|r| (*m, *r)))
        .collect();
    if let Some((_, r)) = mapped
        .iter()
        .find(|(_, r)| rack_types[*r].rack.chips >= gpus)
    {
        return Ok(Some(*r));
    }
    if let Some((model, _)) = mapped.first() {
        let model = quote_short(model);
        let sizes: Vec<String> = mapped
            .iter()
            .map(|(m, r)| {
                let rack = &rack_types[*r].rack;
                format!("{m} → {}: {} chips", rack.name, rack.chips)
            })
            .collect();
        return Err(SpecError::NumGpu(format!(
            "`num_gpu` {gpus} is more than a rack holds of any model `gpu_spec` \"{spec_q}\" maps to ({}): a task of this trace runs on one server, so map {model} in [traces.racks] to a rack model of at least {gpus} chips",
            sizes.join(", ")
        )));
    }
    if racks.is_empty() {
        return Err(SpecError::GpuSpec(format!(
            "`gpu_spec` \"{spec_q}\" asks for GPU models and the trace maps none to a rack model; add a table [traces.racks] to this [[traces]] entry, e.g. {first} = \"<rack model>\""
        )));
    }
    Err(SpecError::GpuSpec(format!(
        "`gpu_spec` \"{spec_q}\" names no GPU model that [traces.racks] maps (it maps {}); add e.g. {first} = \"<rack model>\" to [traces.racks]",
        racks
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// A problem of an Alibaba row's GPU models, by the field it lies in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecError {
    /// `num_gpu`: the task is larger than a rack of every mapped model it
    /// lists.
    NumGpu(String),
    /// `gpu_spec`: it lists no model `[traces.racks]` maps.
    GpuSpec(String),
}

impl SpecError {
    /// The problem placed at its field: `num_gpu` (index `num_gpu`) or
    /// `gpu_spec` (index `gpu_spec`).
    fn placed(self, num_gpu: usize, gpu_spec: Option<usize>) -> RowProblem {
        match self {
            SpecError::NumGpu(message) => (Some(num_gpu), message),
            SpecError::GpuSpec(message) => (gpu_spec, message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::field_place;

    #[test]
    fn a_field_is_placed_at_its_first_character_as_the_csv_reads_it() {
        let text = "a,b,c\n1,\"x,\ny\",  z\n";
        let row = text.find('1').unwrap();
        // Line 2: `1` at column 1, the quoted field at 3; the third field
        // follows the line break inside the quotes: line 3, past `y",` and
        // the two blanks.
        assert_eq!(field_place(text, row, 2, 0), (2, 1));
        assert_eq!(field_place(text, row, 2, 1), (2, 3));
        assert_eq!(field_place(text, row, 2, 2), (3, 6));
        // A doubled quote inside quotes does not end the field.
        let text = "\"a\"\"b,c\",d\n";
        assert_eq!(field_place(text, 0, 1, 1), (1, 10));
        // Columns count characters, not bytes.
        assert_eq!(field_place("é,ü,x\n", 0, 1, 2), (1, 5));
    }
}
