//! The open files a [`CsvRecorder`] writes to: a [`Sink`] per file, typed
//! tables over it, and the tables whose header depends on the first row.

use super::*;

/// The layout of `monthly.csv`: its header names one revenue column per
/// contract, and has the opex lines' and the tax columns when the books
/// have them, so it is known from the first row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthlyLayout {
    /// The header, in order.
    pub header: Vec<String>,
    /// Whether the opex lines' columns are written.
    lines: bool,
    /// Whether the tax columns are written.
    tax: bool,
}

impl MonthlyLayout {
    /// The layout of a `monthly.csv` whose first row is `first`.
    pub fn of(first: &MonthlyRow) -> MonthlyLayout {
        // The opex lines have the names of their totals in `summary.csv`.
        let lines: &[Column<SummaryRow>] = if first.opex_lines_usd.is_some() {
            OPEX_LINES_SUMMARY_COLUMNS
        } else {
            &[]
        };
        let tax: &[Column<MonthlyRow>] = if first.tax.is_some() {
            MONTHLY_TAX_COLUMNS
        } else {
            &[]
        };
        let names = |cs: &[Column<MonthlyRow>]| -> Vec<String> {
            cs.iter().map(|c| c.name.to_string()).collect()
        };
        let header: Vec<String> = [
            names(MONTHLY_LEAD_COLUMNS),
            first
                .contract_revenue_usd
                .iter()
                .map(|(name, _)| contract_revenue_column(name))
                .collect(),
            names(MONTHLY_COLUMNS),
            lines.iter().map(|c| c.name.to_string()).collect(),
            names(MONTHLY_COLUMNS_AFTER_LINES),
            names(tax),
        ]
        .concat();
        MonthlyLayout {
            header,
            lines: first.opex_lines_usd.is_some(),
            tax: first.tax.is_some(),
        }
    }

    /// Writes the fields of `r` into `line`, in the header's order.
    pub fn put(&self, r: &MonthlyRow, line: &mut Line) {
        for c in MONTHLY_LEAD_COLUMNS {
            (c.put)(r, line);
        }
        for (_, v) in &r.contract_revenue_usd {
            usd(line, *v);
        }
        for c in MONTHLY_COLUMNS {
            (c.put)(r, line);
        }
        if self.lines {
            for x in r.opex_lines_usd.unwrap_or_default() {
                usd(line, x);
            }
        }
        for c in MONTHLY_COLUMNS_AFTER_LINES {
            (c.put)(r, line);
        }
        if self.tax {
            for c in MONTHLY_TAX_COLUMNS {
                (c.put)(r, line);
            }
        }
    }
}

/// `monthly.csv`, laid out from its first row.
pub(super) struct MonthlyTable {
    pub(super) sink: Sink,
    layout: MonthlyLayout,
}

impl MonthlyTable {
    pub(super) fn open(set: &mut OutputSet, first: &MonthlyRow) -> Result<Self, OutputError> {
        let layout = MonthlyLayout::of(first);
        let sink = Sink::open(set, "monthly.csv", layout.header.iter().map(String::as_str))?;
        Ok(MonthlyTable { sink, layout })
    }

    pub(super) fn row(&mut self, r: &MonthlyRow) -> io::Result<()> {
        self.layout.put(r, &mut self.sink.line);
        self.sink.end_row()
    }
}

/// Writes `r` to the table in `slot`, opening it (as `name`, with
/// `columns`) at its first row.
pub(super) fn lazy_row<R>(
    set: &mut OutputSet,
    slot: &mut Option<Table<R>>,
    name: &'static str,
    columns: &'static [Column<R>],
    r: &R,
) -> io::Result<()> {
    lazy_parts(set, slot, name, &[columns], r)
}

/// [`lazy_row`] for a table of several parts of columns, in order.
pub(super) fn lazy_parts<R>(
    set: &mut OutputSet,
    slot: &mut Option<Table<R>>,
    name: &'static str,
    parts: &[&'static [Column<R>]],
    r: &R,
) -> io::Result<()> {
    if slot.is_none() {
        let parts = parts.to_vec();
        *slot =
            Some(Table::open_parts(set, name, parts).map_err(|e| io::Error::other(e.to_string()))?);
    }
    slot.as_mut().expect("opened above").row(r)
}

/// One CSV file being written: its name, its line buffer and the file.
pub(super) struct Sink {
    name: &'static str,
    line: Line,
    file: File,
}

impl Sink {
    /// Creates `name` in the set and writes its header line.
    pub(super) fn open<'h>(
        set: &mut OutputSet,
        name: &'static str,
        header: impl IntoIterator<Item = &'h str>,
    ) -> Result<Self, OutputError> {
        let file = set.create_file(name)?;
        let mut line = Line::new();
        for h in header {
            line.text(h);
        }
        line.end();
        Ok(Sink { name, line, file })
    }

    /// Creates `name` in the set holding `bytes`, written out at the next
    /// flush.
    pub(super) fn with_bytes(
        set: &mut OutputSet,
        name: &'static str,
        bytes: &[u8],
    ) -> Result<Self, OutputError> {
        let file = set.create_file(name)?;
        let mut line = Line::new();
        line.buf.extend_from_slice(bytes);
        Ok(Sink { name, line, file })
    }

    /// Ends the row whose fields were written into `line`, handing the
    /// buffer to the file when it is full.
    pub(super) fn end_row(&mut self) -> io::Result<()> {
        self.line.end();
        if self.line.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    pub(super) fn flush(&mut self) -> io::Result<()> {
        let result = self.file.write_all(&self.line.buf);
        self.line.buf.clear();
        result
    }
}

/// Writes out what each file has buffered, then syncs them all to disk at
/// once, one thread per file: the file system can commit them together
/// (one journal commit rather than one per file), which keeps each extra
/// output file from adding a whole disk flush to a short run. Returns the
/// first error, naming its file.
pub(super) fn close_all(set: &OutputSet, mut sinks: Vec<&mut Sink>) -> Result<(), OutputError> {
    for sink in sinks.iter_mut() {
        sink.flush().map_err(|e| set.write_error(sink.name, e))?;
    }
    let results: Vec<(&'static str, io::Result<()>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = sinks
            .iter()
            .map(|sink| {
                let (name, file) = (sink.name, &sink.file);
                scope.spawn(move || (name, file.sync_all()))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a sync thread does not panic"))
            .collect()
    });
    for (name, result) in results {
        result.map_err(|e| set.write_error(name, e))?;
    }
    Ok(())
}

/// A CSV file of one row type: its columns and its [`Sink`].
pub(super) struct Table<R: 'static> {
    /// Groups of columns, written one after the other.
    parts: Vec<&'static [Column<R>]>,
    pub(super) sink: Sink,
}

impl<R> Table<R> {
    pub(super) fn open(
        set: &mut OutputSet,
        name: &'static str,
        columns: &'static [Column<R>],
    ) -> Result<Self, OutputError> {
        Table::open_parts(set, name, vec![columns])
    }

    pub(super) fn open_parts(
        set: &mut OutputSet,
        name: &'static str,
        parts: Vec<&'static [Column<R>]>,
    ) -> Result<Self, OutputError> {
        let sink = Sink::open(
            set,
            name,
            parts.iter().flat_map(|p| p.iter()).map(|c| c.name),
        )?;
        Ok(Table { parts, sink })
    }

    /// The table's columns, in order.
    pub(super) fn columns(&self) -> impl Iterator<Item = &'static Column<R>> + '_ {
        self.parts.iter().flat_map(|p| p.iter())
    }

    pub(super) fn row(&mut self, row: &R) -> io::Result<()> {
        for part in &self.parts {
            for c in part.iter() {
                (c.put)(row, &mut self.sink.line);
            }
        }
        self.sink.end_row()
    }
}

/// `capacity.csv`: one row per rack model of each sample row.
pub(super) struct CapacityTable {
    pub(super) sink: Sink,
}

impl CapacityTable {
    pub(super) fn open(set: &mut OutputSet) -> Result<Self, OutputError> {
        let sink = Sink::open(set, "capacity.csv", CAPACITY_COLUMNS.iter().map(|c| c.name))?;
        Ok(CapacityTable { sink })
    }

    /// The rows of a sample's rack models.
    pub(super) fn rows(&mut self, sample: &SampleRow) -> io::Result<()> {
        for rack in &sample.racks {
            for c in CAPACITY_COLUMNS {
                (c.put)(sample, rack, &mut self.sink.line);
            }
            self.sink.end_row()?;
        }
        Ok(())
    }
}
