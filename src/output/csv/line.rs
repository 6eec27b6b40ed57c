//! A CSV line buffer and the fixed-decimal number formatting that fills it,
//! and the [`Column`] a table is listed with.

use super::*;

/// A CSV line being written: fields are appended to one buffer that is
/// reused for every row of a file.
pub struct Line {
    pub(super) buf: Vec<u8>,
    first: bool,
    /// Whether text fields are quoted as CSV needs (always, but for the
    /// fields of a row rendered as they read back: a value for
    /// `summary.json`, the rows the charts and the report take).
    quote: bool,
    /// Where each field but the first starts in `buf`, in a line whose
    /// fields are not quoted (and not separated).
    starts: Vec<usize>,
    /// Whether a number field is kept as the value it reads back as
    /// (`value`) instead of written, where that value is known
    /// without the text (a [`FieldReader`] reading one number).
    numeric: bool,
    /// The value of the number field written in `numeric` mode, if known
    /// without its text.
    value: Option<f64>,
    /// The last field [`Line::date_time`] wrote: the instant and its text
    /// (a sample's rows all carry the same one).
    instant: Option<(chrono::NaiveDateTime, Memo)>,
    /// The last field [`Line::fixed_repeating`] wrote: the number's bits,
    /// its decimals and its text.
    repeating: Option<(u64, usize, Memo)>,
}

/// The text of a field kept to be copied again.
#[derive(Clone, Copy)]
struct Memo {
    len: usize,
    text: [u8; 32],
}

impl Memo {
    /// The text of the field that starts at `start` in `buf` and ends
    /// it, if it is at most 32 bytes long.
    fn of(buf: &[u8], start: usize) -> Option<Memo> {
        let field = &buf[start..];
        let mut text = [0; 32];
        text.get_mut(..field.len())?.copy_from_slice(field);
        Some(Memo {
            len: field.len(),
            text,
        })
    }

    /// Appends the text (a copy of fixed size, the rest cut off).
    fn push(&self, buf: &mut Vec<u8>) {
        let start = buf.len();
        buf.extend_from_slice(&self.text);
        buf.truncate(start + self.len);
    }
}

impl Line {
    pub(super) fn new() -> Line {
        Line {
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            first: true,
            quote: true,
            starts: Vec::new(),
            numeric: false,
            value: None,
            instant: None,
            repeating: None,
        }
    }

    /// A line for fields rendered as a CSV reader gives them back: text
    /// unquoted, fields kept apart ([`Line::fields`]) rather than
    /// separated by commas.
    pub(crate) fn unquoted() -> Line {
        Line {
            buf: Vec::new(),
            first: true,
            quote: false,
            starts: Vec::new(),
            numeric: false,
            value: None,
            instant: None,
            repeating: None,
        }
    }

    #[inline]
    pub(super) fn separator(&mut self) {
        if self.first {
            self.first = false;
        } else if self.quote {
            self.buf.push(b',');
        } else {
            self.starts.push(self.buf.len());
        }
    }

    /// Empties an [`Line::unquoted`] line for the next row.
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.starts.clear();
        self.first = true;
    }

    /// The fields written since [`Line::clear`] into an
    /// [`Line::unquoted`] line, as a CSV reader gives them back.
    pub(crate) fn fields(&self) -> impl Iterator<Item = &[u8]> {
        let ends = self.starts.iter().copied().chain([self.buf.len()]);
        std::iter::once(0)
            .chain(self.starts.iter().copied())
            .zip(ends)
            .map(|(a, b)| &self.buf[a..b])
    }

    /// The fields of [`Line::fields`] as owned text.
    pub(crate) fn field_strings(&self) -> Vec<String> {
        self.fields()
            .map(|f| {
                String::from_utf8(f.to_vec()).expect("fields are written from text and digits")
            })
            .collect()
    }

    /// A text field, quoted when it holds `,`, `"`, `\r` or `\n`.
    pub fn text(&mut self, s: &str) {
        self.separator();
        if self.quote && s.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
            self.buf.push(b'"');
            for b in s.bytes() {
                if b == b'"' {
                    self.buf.push(b'"');
                }
                self.buf.push(b);
            }
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(s.as_bytes());
        }
    }

    /// A calendar date as `YYYY-MM-DD` (never quoted: digits and dashes).
    pub fn date(&mut self, d: chrono::NaiveDate) {
        self.separator();
        push_date(&mut self.buf, d);
    }

    /// A calendar instant as `YYYY-MM-DDTHH:MM:SS`, fractions of a second
    /// dropped (never quoted: digits, dashes, colons). Written digit pair
    /// by digit pair: every timeseries row has one.
    pub fn date_time(&mut self, t: chrono::NaiveDateTime) {
        use chrono::Timelike as _;
        self.separator();
        if let Some((last, memo)) = &self.instant
            && *last == t
        {
            memo.push(&mut self.buf);
            return;
        }
        let start = self.buf.len();
        push_date(&mut self.buf, t.date());
        let s = t.num_seconds_from_midnight();
        self.buf.push(b'T');
        push_pair(&mut self.buf, s / 3600);
        self.buf.push(b':');
        push_pair(&mut self.buf, s / 60 % 60);
        self.buf.push(b':');
        push_pair(&mut self.buf, s % 60);
        self.instant = Memo::of(&self.buf, start).map(|memo| (t, memo));
    }

    /// A calendar month as `YYYY-MM` (never quoted: digits and a dash).
    pub fn year_month(&mut self, m: crate::record::YearMonth) {
        use std::io::Write as _;
        self.separator();
        write!(self.buf, "{m}").expect("writing to a Vec cannot fail");
    }

    /// A whole number. Inlined into each column's writer: most counts in
    /// a row are a single digit, pushed directly.
    #[inline]
    pub fn int(&mut self, n: u64) {
        if self.numeric {
            // The digits read back as `n` rounded to a double: exact up
            // to 15 digits, correctly rounded above (as `as` rounds).
            self.value = Some(n as f64);
            return;
        }
        self.separator();
        if n < 10 {
            self.buf.push(b'0' + n as u8);
        } else {
            push_u64(&mut self.buf, n);
        }
    }

    /// A number with `decimals` digits after the point (at most 9), never
    /// written as `-0.000`.
    #[inline]
    pub fn fixed(&mut self, x: f64, decimals: usize) {
        if self.numeric
            && let Some(v) = fixed_value(x, decimals)
        {
            self.value = Some(v);
            return;
        }
        self.separator();
        push_fixed(&mut self.buf, x, decimals);
    }

    /// A number as [`Line::fixed`] writes it, for one that repeats from
    /// row to row (a sample's time, on each of its rows): the text of the
    /// last one is kept and copied again while the number is the same.
    pub fn fixed_repeating(&mut self, x: f64, decimals: usize) {
        if self.numeric {
            self.fixed(x, decimals);
            return;
        }
        self.separator();
        if let Some((bits, d, memo)) = &self.repeating
            && *bits == x.to_bits()
            && *d == decimals
        {
            memo.push(&mut self.buf);
            return;
        }
        let start = self.buf.len();
        push_fixed(&mut self.buf, x, decimals);
        self.repeating = Memo::of(&self.buf, start).map(|memo| (x.to_bits(), decimals, memo));
    }

    /// A number in the shortest scientific notation that reads back the
    /// same (`1.44e18`, `0e0`), written straight into the line.
    pub fn sci(&mut self, x: f64) {
        if self.numeric {
            // The shortest digits that read back as `x` do (`0e0`, `NaN`
            // and `inf` too).
            self.value = Some(x);
            return;
        }
        self.separator();
        push_sci(&mut self.buf, x);
    }

    pub(super) fn end(&mut self) {
        self.buf.push(b'\n');
        self.first = true;
    }
}

/// The two-digit strings `00` to `99`, back to back.
pub(super) const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends `n` (below 100) as two digits.
fn push_pair(buf: &mut Vec<u8>, n: u32) {
    let i = n as usize * 2;
    buf.extend_from_slice(&PAIRS[i..i + 2]);
}

/// Appends `d` as `YYYY-MM-DD`, byte for byte as its `Display` writes it
/// (which the years 0–9999 take directly; others go through it).
fn push_date(buf: &mut Vec<u8>, d: chrono::NaiveDate) {
    use chrono::Datelike as _;
    let year = d.year();
    if !(0..=9999).contains(&year) {
        write!(buf, "{d}").expect("writing to a Vec cannot fail");
        return;
    }
    push_pair(buf, year as u32 / 100);
    push_pair(buf, year as u32 % 100);
    buf.push(b'-');
    push_pair(buf, d.month());
    buf.push(b'-');
    push_pair(buf, d.day());
}

/// Writes the decimal digits of `n` at the end of `digits` (two at a time)
/// and returns the index of the first.
pub(super) fn digits_of(digits: &mut [u8], mut n: u64) -> usize {
    let mut i = digits.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        digits[i] = b'0' + n as u8;
    }
    i
}

/// The longest field [`push_u64`] and [`push_fixed`]'s fast path write:
/// 20 digits, or 16 digits, a sign and a point.
pub(super) const FIELD: usize = 24;

/// Appends the first `len` bytes of `field`: the whole array is copied
/// (a fixed-size copy, no call to `memcpy`) and the rest cut off again.
fn push_field(buf: &mut Vec<u8>, field: &[u8; FIELD], len: usize) {
    let start = buf.len();
    buf.extend_from_slice(field);
    buf.truncate(start + len);
}

/// The number of decimal digits of `n` (1 for 0): a guess from its bit
/// length (`log10 2 ≈ 1233 / 4096`), corrected by one comparison.
pub(super) fn digit_count(n: u64) -> usize {
    const POWERS: [u64; 20] = {
        let mut p = [1u64; 20];
        let mut i = 1;
        while i < 20 {
            p[i] = p[i - 1] * 10;
            i += 1;
        }
        p
    };
    let bits = 64 - (n | 1).leading_zeros() as usize;
    let guess = (bits * 1233) >> 12;
    (guess + usize::from(n >= POWERS[guess])).max(1)
}

/// Appends the decimal digits of `n`.
#[inline(never)]
pub(super) fn push_u64(buf: &mut Vec<u8>, n: u64) {
    if n < 10 {
        // One digit (most counts in a row are 0): no digit buffer.
        buf.push(b'0' + n as u8);
        return;
    }
    let len = digit_count(n);
    if n < EIGHT_DIGITS {
        // The last `len` of eight zero-padded digits, moved to the front.
        let text = eight_digits(n as u32) >> (8 * (8 - len));
        let start = buf.len();
        buf.extend_from_slice(&text.to_le_bytes());
        buf.truncate(start + len);
        return;
    }
    let mut field = [b'0'; FIELD];
    digits_of(&mut field[..len], n);
    push_field(buf, &field, len);
}

/// 10^8: the numbers [`eight_digits`] writes are below it.
pub(super) const EIGHT_DIGITS: u64 = 100_000_000;

/// The eight decimal digits of `n` (below 10^8, zero-padded) as ASCII, in
/// reading order from the lowest byte (so `to_le_bytes` is the text).
/// Every lane of the word is split at once: the two halves of four digits
/// into 32-bit lanes, each into two pairs (16-bit lanes), each pair into
/// its two digits (bytes), by multiplications that divide exactly in the
/// lanes' ranges (`v·10486 >> 20 = v / 100` for `v` < 10^4, `v·103 >> 10
/// = v / 10` for `v` < 100) and never carry into the next lane.
pub(super) fn eight_digits(n: u32) -> u64 {
    debug_assert!(u64::from(n) < EIGHT_DIGITS);
    let halves = u64::from(n / 10_000) | (u64::from(n % 10_000) << 32);
    let hundreds = ((halves * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let pairs = hundreds | ((halves - hundreds * 100) << 16);
    let tens = ((pairs * 103) >> 10) & 0x000f_000f_000f_000f;
    (tens | ((pairs - tens * 10) << 8)) | 0x3030_3030_3030_3030
}

/// The sixteen decimal digits of `n` (below 10^16, zero-padded) as ASCII
/// in the first 16 bytes, followed by 16 bytes of `0` (room for the
/// fixed-size copies of [`push_fixed`]).
pub(super) fn sixteen_digits(n: u64) -> [u8; 32] {
    debug_assert!(n < EIGHT_DIGITS * EIGHT_DIGITS);
    let mut text = [b'0'; 32];
    let (high, low) = (n / EIGHT_DIGITS, n % EIGHT_DIGITS);
    if high != 0 {
        text[..8].copy_from_slice(&eight_digits(high as u32).to_le_bytes());
    }
    text[8..16].copy_from_slice(&eight_digits(low as u32).to_le_bytes());
    text
}

pub(super) const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/// Appends `x` with `decimals` digits after the point, byte for byte as
/// `format!("{x:.decimals$}")` writes it, except that a value that rounds to
/// zero has no minus sign.
///
/// The fast path scales by 10^decimals and rounds to an integer. Scaling
/// rounds once, by at most half an ulp of the scaled value, so the integer
/// is the correctly rounded one unless the scaled value lies within that
/// error of a half; those rare values, and values too large for the integer,
/// go through the standard formatter.
#[inline(never)]
pub(super) fn push_fixed(buf: &mut Vec<u8>, x: f64, decimals: usize) {
    debug_assert!(decimals < POW10.len());
    if x == 0.0 {
        // Zero of either sign, frequent (no wait, no loss): `0.000000`.
        const ZEROS: &[u8; 11] = b"0.000000000";
        let start = buf.len();
        buf.extend_from_slice(ZEROS);
        buf.truncate(start + if decimals == 0 { 1 } else { decimals + 2 });
        return;
    }
    let scaled = x * POW10[decimals];
    let magnitude = scaled.abs();
    // NaN, infinities and values too large for the rounding below.
    if magnitude.is_nan() || magnitude >= 4.0e15 {
        slow_fixed(buf, x, decimals);
        return;
    }
    // Below 2^52 adding 2^52 rounds to the nearest integer (the sum's ulp
    // is 1), whose bits then hold it; what is left over is exact. Within
    // the scaling's error of a half, the standard formatter decides.
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let rounded = magnitude + TWO_52;
    let n = rounded.to_bits() - TWO_52.to_bits();
    let left = magnitude - (rounded - TWO_52);
    if 0.5 - left.abs() <= magnitude * 4.0 * f64::EPSILON {
        slow_fixed(buf, x, decimals);
        return;
    }
    let negative = n != 0 && x < 0.0;
    let sign = usize::from(negative);
    // The digits of `n` zero-padded to at least `decimals + 1`.
    let digits = digit_count(n).max(decimals + 1);
    if digits > 15 {
        push_fixed_long(buf, n, negative, digits, decimals);
        return;
    }
    // The field laid out left to right in a scratch of fixed size, by
    // fixed-size copies: a sign, the digits from the first one on, then
    // (with decimals) the point over the first decimal and the decimals
    // again after it. At most 1 + 15 + 1 bytes.
    let text = sixteen_digits(n);
    let mut field = [b'0'; FIELD + 16];
    field[0] = b'-';
    field[sign..sign + 16].copy_from_slice(&text[16 - digits..32 - digits]);
    let len = if decimals == 0 {
        sign + digits
    } else {
        let point = sign + digits - decimals;
        field[point] = b'.';
        field[point + 1..point + 17].copy_from_slice(&text[16 - decimals..32 - decimals]);
        point + 1 + decimals
    };
    let start = buf.len();
    buf.extend_from_slice(&field[..FIELD]);
    buf.truncate(start + len);
}

/// [`push_fixed`]'s field of the rounded integer `n` (`digits` digits with
/// the padding, 16 of them: `n` ≥ 10^15) written digit pair by pair.
fn push_fixed_long(buf: &mut Vec<u8>, n: u64, negative: bool, digits: usize, decimals: usize) {
    let sign = usize::from(negative);
    let whole_digits = digits - decimals;
    let mut field = [b'0'; FIELD];
    if negative {
        field[0] = b'-';
    }
    let len = if decimals == 0 {
        digits_of(&mut field[sign..sign + digits], n);
        sign + digits
    } else {
        let scale = POW10_U64[decimals];
        let point = sign + whole_digits;
        digits_of(&mut field[sign..point], n / scale);
        field[point] = b'.';
        let end = point + 1 + decimals;
        let fraction = n % scale;
        if fraction != 0 {
            digits_of(&mut field[point + 1..end], fraction);
        }
        end
    };
    push_field(buf, &field, len);
}

/// 10^0 to 10^9 as integers.
const POW10_U64: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// What [`push_fixed`]'s text of `x` with `decimals` digits reads back as
/// through [`parse_number`], without writing it: the integer `n` its fast
/// path rounds to, over 10^decimals, as `parse_number` divides the digits
/// it reads. `None` where either would take its other path (a value near a
/// half, too large, not finite, or more than 15 digits), and the text must
/// be written and read.
#[inline(never)]
pub(super) fn fixed_value(x: f64, decimals: usize) -> Option<f64> {
    const POW10_READ: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let scaled = x * POW10[decimals];
    let magnitude = scaled.abs();
    if magnitude.is_nan() || magnitude >= 4.0e15 {
        return None;
    }
    // Rounded as push_fixed rounds it.
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let rounded = magnitude + TWO_52;
    let n = rounded.to_bits() - TWO_52.to_bits();
    let left = magnitude - (rounded - TWO_52);
    if 0.5 - left.abs() <= magnitude * 4.0 * f64::EPSILON {
        return None;
    }
    // The text holds max(digits of n, decimals + 1) digits; parse_number
    // divides directly only up to 15 of them.
    let digits = digit_count(n).max(decimals + 1);
    if digits > 15 {
        return None;
    }
    let v = n as f64 / POW10_READ[decimals];
    Some(if n != 0 && x < 0.0 { -v } else { v })
}

pub(super) fn slow_fixed(buf: &mut Vec<u8>, x: f64, decimals: usize) {
    let start = buf.len();
    write!(buf, "{x:.decimals$}").expect("writing to a Vec cannot fail");
    // Avoid "-0.000000" for values that round to zero.
    if buf[start] == b'-' && buf[start + 1..].iter().all(|&c| c == b'0' || c == b'.') {
        buf.remove(start);
    }
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A number (or empty: no value); a JSON number.
    Number,
    /// Text (a name, a date, a key), whatever it looks like; a JSON string.
    Text,
}

/// The unit of a column's values, declared with the column
/// (`columns!`); a column's name ends with its unit's
/// [`Unit::suffix`] when it has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // `UsdPerUnit`: dollars per unit of what the column counts
pub enum Unit {
    /// US dollars.
    Usd,
    /// US dollars per unit of what the row counts.
    UsdPerUnit,
    /// Megawatt-hours.
    Mwh,
    /// Megawatts.
    Mw,
    /// Tonnes of CO2 equivalent.
    Tco2e,
    /// Chip-hours.
    ChipHours,
    /// Capacity-hours (a contract's unit of capacity for an hour).
    CapacityHours,
    /// Days.
    Days,
    /// Hours.
    Hours,
    /// Seconds.
    Seconds,
    /// Terabytes.
    Tb,
    /// Gigabytes.
    Gb,
    /// Gigabits per second.
    GbitPerS,
    /// A share of one (availability, a margin).
    Share,
    /// A rate per year, as a share of one (an internal rate of return).
    PerYear,
}

impl Unit {
    /// Every unit.
    #[cfg(test)]
    pub const ALL: [Unit; 15] = [
        Unit::Usd,
        Unit::UsdPerUnit,
        Unit::Mwh,
        Unit::Mw,
        Unit::Tco2e,
        Unit::ChipHours,
        Unit::CapacityHours,
        Unit::Days,
        Unit::Hours,
        Unit::Seconds,
        Unit::Tb,
        Unit::Gb,
        Unit::GbitPerS,
        Unit::Share,
        Unit::PerYear,
    ];

    /// What the name of a column of this unit ends with (`_usd`); none
    /// for a share or a rate, named for what they are.
    pub fn suffix(self) -> Option<&'static str> {
        Some(match self {
            Unit::Usd => "_usd",
            Unit::UsdPerUnit => "_usd_per_unit",
            Unit::Mwh => "_mwh",
            Unit::Mw => "_mw",
            Unit::Tco2e => "_tco2e",
            Unit::ChipHours => "_chip_hours",
            Unit::CapacityHours => "_capacity_hours",
            Unit::Days => "_days",
            Unit::Hours => "_h",
            Unit::Seconds => "_s",
            Unit::Tb => "_tb",
            Unit::Gb => "_gb",
            Unit::GbitPerS => "_gbit_per_s",
            Unit::Share | Unit::PerYear => return None,
        })
    }
}

/// One column of a CSV file: its header, what it holds, its unit, and how
/// a row's value is written (the formatting: decimals, scientific
/// notation, empty for no value).
pub struct Column<R> {
    /// Header name, with its unit.
    pub name: &'static str,
    /// Number or text.
    pub kind: Kind,
    /// The unit of its values; none for a count, a ratio or text.
    pub unit: Option<Unit>,
    /// Writes the value of this column for one row.
    pub put: fn(&R, &mut Line),
}

/// The text of `column`'s field of `row`, as the CSV holds it once read
/// (unquoted).
pub fn field_text<R>(column: &Column<R>, row: &R) -> String {
    let mut line = Line::unquoted();
    (column.put)(row, &mut line);
    String::from_utf8(line.buf).expect("fields are written from text and digits")
}
/// Reads the values of rows held in memory exactly as they read back from
/// their CSV file: each value is written by its column (the schema's
/// decimals, notation and empty fields) and read as the file's reader
/// reads it ([`parse_number`]), so what is drawn from memory is what is
/// drawn from the file, to the bit.
pub struct FieldReader {
    /// The line numbers are written to: always in `numeric` mode, empty
    /// between calls.
    numbers: Line,
    /// The line text fields are written to.
    line: Line,
}

impl Default for FieldReader {
    fn default() -> Self {
        let mut numbers = Line::unquoted();
        numbers.numeric = true;
        FieldReader {
            numbers,
            line: Line::unquoted(),
        }
    }
}

impl FieldReader {
    /// The number in `column` of `row` as its file holds it: NaN for an
    /// empty field.
    pub fn number<R>(&mut self, column: &Column<R>, row: &R) -> f64 {
        // The value is taken without its text where it is known exactly
        // (Line::numeric); otherwise the field is written and read.
        let numbers = &mut self.numbers;
        (column.put)(row, numbers);
        match numbers.value.take() {
            Some(v) => v,
            None => {
                let v = parse_number(&numbers.buf);
                numbers.clear();
                v
            }
        }
    }

    /// The field of `column` of `row` as its file's reader gives it back
    /// (unquoted).
    pub fn text<R>(&mut self, column: &Column<R>, row: &R) -> &[u8] {
        self.line.clear();
        (column.put)(row, &mut self.line);
        &self.line.buf
    }
}

/// `bytes` as a number; NaN when empty or not a number. Plain decimals
/// (`-12.345000`, `300`), which is what dcsim writes but for FLOP counts,
/// are read directly: with fewer than 16 digits the mantissa and the power
/// of ten are exact doubles, so their quotient is the correctly rounded
/// value, the same as `str::parse` gives. Anything else goes to
/// `str::parse`.
pub fn parse_number(bytes: &[u8]) -> f64 {
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0;
    let mut decimals: Option<usize> = None;
    let mut plain = !digits.is_empty() && digits.len() <= 17;
    if plain {
        for &b in digits {
            match b {
                b'0'..=b'9' => {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    count += 1;
                    if let Some(d) = decimals.as_mut() {
                        *d += 1;
                    }
                }
                b'.' if decimals.is_none() => decimals = Some(0),
                _ => {
                    plain = false;
                    break;
                }
            }
        }
    }
    if plain && count > 0 && count <= 15 {
        const POW10: [f64; 16] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        ];
        let x = mantissa as f64 / POW10[decimals.unwrap_or(0)];
        return if negative { -x } else { x };
    }
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
}

impl<R> Column<R> {
    /// The column `name` of `kind` in `unit`, its values written by `put`.
    pub const fn new(
        name: &'static str,
        kind: Kind,
        unit: Option<Unit>,
        put: fn(&R, &mut Line),
    ) -> Self {
        Column {
            name,
            kind,
            unit,
            put,
        }
    }
}
