//! A CSV line buffer and the fixed-decimal number formatting that fills it,
//! and the [`Column`] a table is listed with.

use super::*;

/// A CSV line being written: fields are appended to one buffer that is
/// reused for every row of a file.
pub struct Line {
    pub(super) buf: Vec<u8>,
    first: bool,
    /// Whether text fields are quoted as CSV needs (always, but for a
    /// field rendered alone for JSON).
    quote: bool,
}

impl Line {
    pub(super) fn new() -> Line {
        Line {
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            first: true,
            quote: true,
        }
    }

    /// A line for one field rendered alone, its text unquoted (the value
    /// of a column for `summary.json`).
    pub(super) fn field() -> Line {
        Line {
            buf: Vec::new(),
            first: true,
            quote: false,
        }
    }

    pub(super) fn separator(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.buf.push(b',');
        }
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

    /// A whole number.
    pub fn int(&mut self, n: u64) {
        self.separator();
        push_u64(&mut self.buf, n);
    }

    /// A number with `decimals` digits after the point (at most 9), never
    /// written as `-0.000`.
    pub fn fixed(&mut self, x: f64, decimals: usize) {
        self.separator();
        push_fixed(&mut self.buf, x, decimals);
    }

    /// A number in the shortest scientific notation that reads back the
    /// same (`1.44e18`, `0e0`), written straight into the line.
    pub fn sci(&mut self, x: f64) {
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

/// Writes the decimal digits of `n` at the end of `digits` (two at a time)
/// and returns the index of the first.
pub(super) fn digits_of(digits: &mut [u8; 20], mut n: u64) -> usize {
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

/// Appends the decimal digits of `n`.
pub(super) fn push_u64(buf: &mut Vec<u8>, n: u64) {
    let mut digits = [b'0'; 20];
    let first = digits_of(&mut digits, n);
    buf.extend_from_slice(&digits[first..]);
}

/// Appends `x` as `format!("{x:e}")` writes it: the shortest digits that
/// read back as `x`. Positive zero, frequent in idle rows, skips the
/// formatter.
pub(super) fn push_sci(buf: &mut Vec<u8>, x: f64) {
    if x == 0.0 && x.is_sign_positive() {
        buf.extend_from_slice(b"0e0");
    } else {
        write!(buf, "{x:e}").expect("writing to a Vec cannot fail");
    }
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
pub(super) fn push_fixed(buf: &mut Vec<u8>, x: f64, decimals: usize) {
    debug_assert!(decimals < POW10.len());
    let scaled = x * POW10[decimals];
    let magnitude = scaled.abs();
    // NaN, infinities and values too large for the integer.
    if magnitude.is_nan() || magnitude >= 9.0e15 {
        slow_fixed(buf, x, decimals);
        return;
    }
    // Below 9e15 (< 2^53) the cast is the exact floor, and the fraction
    // left is exact: rounding is a comparison, with no call to `round`.
    let whole = magnitude as u64;
    let frac = magnitude - whole as f64;
    if (frac - 0.5).abs() <= magnitude * 4.0 * f64::EPSILON {
        slow_fixed(buf, x, decimals);
        return;
    }
    let n = whole + u64::from(frac > 0.5);
    if n != 0 && x < 0.0 {
        buf.push(b'-');
    }
    // The digits of `n` once, zero-padded to at least `decimals + 1`, the
    // point before the last `decimals`.
    let mut digits = [b'0'; 20];
    let first = digits_of(&mut digits, n).min(digits.len() - decimals - 1);
    let point = digits.len() - decimals;
    buf.extend_from_slice(&digits[first..point]);
    if decimals > 0 {
        buf.push(b'.');
        buf.extend_from_slice(&digits[point..]);
    }
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

/// One column of a CSV file: its header, what it holds, and how a row's
/// value is written (the formatting: decimals, scientific notation, empty
/// for no value). The unit is the header's suffix ([`unit_of`]).
pub struct Column<R> {
    /// Header name, with its unit.
    pub name: &'static str,
    /// Number or text.
    pub kind: Kind,
    /// Writes the value of this column for one row.
    pub put: fn(&R, &mut Line),
}

/// The text of `column`'s field of `row`, as the CSV holds it once read
/// (unquoted).
pub fn field_text<R>(column: &Column<R>, row: &R) -> String {
    let mut line = Line::field();
    (column.put)(row, &mut line);
    String::from_utf8(line.buf).expect("fields are written from text and digits")
}

impl<R> Column<R> {
    /// The column `name` of `kind`, its values written by `put`.
    pub const fn new(name: &'static str, kind: Kind, put: fn(&R, &mut Line)) -> Self {
        Column { name, kind, put }
    }
}
