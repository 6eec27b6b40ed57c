//! Numbers in the shortest scientific notation that reads back the same
//! (`1.44e18`, `0e0`), as `{:e}` writes them, from Ryu's digits.

use super::line::{EIGHT_DIGITS, FIELD, digit_count, digits_of, sixteen_digits};
use std::io::Write as _;

/// Appends `x` as `format!("{x:e}")` writes it: the shortest digits that
/// read back as `x`. Positive zero, frequent in idle rows, skips the
/// formatter; so does every other finite number, whose digits come from
/// Ryu ([`push_sci_shortest`]) unless it lies exactly halfway between two
/// shortest candidates.
pub(super) fn push_sci(buf: &mut Vec<u8>, x: f64) {
    if x == 0.0 && x.is_sign_positive() {
        buf.extend_from_slice(b"0e0");
    } else if !(x.is_finite() && x != 0.0 && push_sci_moved(buf, x)) {
        write!(buf, "{x:e}").expect("writing to a Vec cannot fail");
    }
}

/// [`push_sci_shortest`] without reading the digits as a number: Ryu's
/// text is moved into place. Ryu writes `1.2e20` or `1e-7` as `{:e}` does,
/// so that text is copied whole; `123.4`, `1200.0` or `0.00123` become
/// `1.234e2`, `1.2e3`, `1.23e-3`: the first significant digit, the point,
/// the others (a whole number's trailing zeros dropped), the exponent. The
/// powers of ten and two are checked first ([`could_be_midpoint`]); where
/// they allow a midpoint, [`push_sci_shortest`] decides. Returns false,
/// having written nothing, where the standard formatter must.
fn push_sci_moved(buf: &mut Vec<u8>, x: f64) -> bool {
    let mut ryu = ryu::Buffer::new();
    let text = ryu.format_finite(x).as_bytes();
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    // Where the point and the `e` are (none: `body.len()`).
    let mut point = body.len();
    let mut e_at = body.len();
    for (i, &b) in body.iter().enumerate() {
        if b == b'.' {
            point = i;
        } else if b == b'e' {
            e_at = i;
            break;
        }
    }
    if e_at < body.len() {
        // `d.ddde-x`: n digits, the value d·10^k with k = exponent − (n − 1).
        let digits = if e_at > 1 { e_at - 1 } else { 1 };
        let (minus, exponent) = match body[e_at + 1..].split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, &body[e_at + 1..]),
        };
        let e = exponent
            .iter()
            .fold(0i64, |e, &b| e * 10 + i64::from(b - b'0'));
        let k = if minus { -e } else { e } - (digits as i64 - 1);
        if could_be_midpoint(x, k) {
            return push_sci_shortest(buf, x);
        }
        buf.extend_from_slice(text);
        return true;
    }
    // Decimal notation, copied into a padded scratch for copies of fixed
    // size: at most 17 digits, a point and a zero.
    let mut src = [b'0'; 64];
    src[..body.len()].copy_from_slice(body);
    let (first, digits, exponent) = if src[0] == b'0' {
        // `0.000ddd`: the digits after the zeros.
        let zeros = src[2..body.len()]
            .iter()
            .take_while(|&&b| b == b'0')
            .count();
        (2 + zeros, body.len() - 2 - zeros, -(zeros as i64) - 1)
    } else if body.len() == point + 2 && src[point + 1] == b'0' {
        // A whole number `ddd00.0`: its digits but the trailing zeros.
        let zeros = src[..point]
            .iter()
            .rev()
            .take_while(|&&b| b == b'0')
            .count();
        (0, point - zeros, point as i64 - 1)
    } else {
        (0, body.len() - 1, point as i64 - 1)
    };
    if could_be_midpoint(x, exponent - (digits as i64 - 1)) {
        return push_sci_shortest(buf, x);
    }
    let mut field = [b'0'; 96];
    let sign = usize::from(negative);
    field[0] = b'-';
    field[sign] = src[first];
    field[sign + 1] = b'.';
    // The digits after the first: up to the point, then (over the point)
    // those after it; past `digits` anything, cut off below.
    field[sign + 2..sign + 26].copy_from_slice(&src[first + 1..first + 25]);
    if first == 0 && point < body.len() {
        field[sign + 1 + point..sign + 25 + point].copy_from_slice(&src[point + 1..point + 25]);
    }
    let len = if digits > 1 {
        sign + 1 + digits
    } else {
        sign + 1
    };
    push_with_exponent(buf, &mut field, len, exponent);
    true
}

/// Ends the field laid out in `field[..len]` (sign, digits, point) with
/// `e`, the exponent's sign and its digits, and appends it to `buf`: a
/// copy of fixed size, the rest cut off.
#[inline]
fn push_with_exponent(buf: &mut Vec<u8>, field: &mut [u8], mut len: usize, exponent: i64) {
    field[len] = b'e';
    len += 1;
    if exponent < 0 {
        field[len] = b'-';
        len += 1;
    }
    let e = exponent.unsigned_abs();
    let e_digits = digit_count(e);
    digits_of(&mut field[len..len + e_digits], e);
    len += e_digits;
    let start = buf.len();
    buf.extend_from_slice(&field[..FIELD + 8]);
    buf.truncate(start + len);
}

/// Whether `|x|` = `d·10^k ± 10^k / 2` for some odd-sided `d` could hold
/// as far as the powers go ([`is_decimal_midpoint`]): the lowest set bit
/// of `x` is worth 2^(k − 1), and |k| is at most 27.
fn could_be_midpoint(x: f64, k: i64) -> bool {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1u64 << 52) - 1);
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    m != 0 && k.abs() <= 27 && e + i64::from(m.trailing_zeros()) + 1 == k
}

/// [`push_sci`] for a finite, non-zero number, a few times faster than the
/// standard formatter; returns false, having written nothing, where the
/// two could differ. Both give the shortest digits that read back as `x`
/// and, of those, the ones closest to `x`; they could differ only where
/// `x` lies exactly halfway between two such candidates (`D·10^k` and
/// `(D+1)·10^k`), where each breaks the tie its own way. That case is
/// recognised exactly ([`is_decimal_midpoint`]) and left to the standard
/// formatter. Ryu writes `123.0`, `0.001` or `1.2e20`; the digits and the
/// point's place are read from that and written as `1.23e2`.
fn push_sci_shortest(buf: &mut Vec<u8>, x: f64) -> bool {
    let mut ryu = ryu::Buffer::new();
    let text = ryu.format_finite(x).as_bytes();
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    // The significant digits as a number D and the power of ten k of the
    // last, the value being D·10^k: Ryu writes at most 17 of them.
    let mut d = 0u64;
    let mut k = 0i64;
    let mut after_point = false;
    let mut rest = text;
    while let Some((&b, tail)) = rest.split_first() {
        match b {
            b'0'..=b'9' => {
                d = d * 10 + u64::from(b - b'0');
                k -= i64::from(after_point);
            }
            b'.' => after_point = true,
            _ => break, // the exponent's `e`
        }
        rest = tail;
    }
    if let Some((b'e', exponent)) = rest.split_first() {
        let (minus, digits) = match exponent.split_first() {
            Some((b'-', digits)) => (true, digits),
            _ => (false, exponent),
        };
        let e = digits
            .iter()
            .fold(0i64, |e, &b| e * 10 + i64::from(b - b'0'));
        k += if minus { -e } else { e };
    }
    if d == 0 {
        return false;
    }
    while d.is_multiple_of(10) {
        d /= 10;
        k += 1;
    }
    if is_decimal_midpoint(x, d, k) {
        return false;
    }
    // `-d.ddde-x`: a sign, 17 digits, a point, `e`, a sign and 3 digits.
    let mut field = [b'0'; FIELD + 16];
    let sign = usize::from(negative);
    field[0] = b'-';
    let n = digit_count(d);
    let exponent = k + n as i64 - 1;
    let len = if d < EIGHT_DIGITS * EIGHT_DIGITS {
        // The first digit, the point, then the others by one copy of
        // fixed size from the padded digits.
        let text = sixteen_digits(d);
        field[sign] = text[16 - n];
        field[sign + 1] = b'.';
        field[sign + 2..sign + 17].copy_from_slice(&text[17 - n..32 - n]);
        if n > 1 { sign + 1 + n } else { sign + 1 }
    } else {
        // The digits from the second place on, then the first moved
        // before the point.
        digits_of(&mut field[sign + 1..sign + 1 + n], d);
        field[sign] = field[sign + 1];
        field[sign + 1] = b'.';
        sign + 1 + n
    };
    push_with_exponent(buf, &mut field, len, exponent);
    true
}

/// Whether `|x|` is exactly `(2d − 1)·10^k / 2` or `(2d + 1)·10^k / 2`:
/// halfway between the `n`-digit decimal `d·10^k` and a neighbour of it
/// (`d` below 10^17). In integers: `|x| = m·2^e` with `m` odd, and the
/// equation `m·2^(e+1) = b·2^k·5^k` (`b = 2d ± 1`, odd) holds only if the
/// powers of two match and `m` equals `b·5^k` (k ≥ 0) or `m·5^−k` equals
/// `b` (k < 0). Past |k| = 27 the odd sides cannot meet (`m` < 2^53, `b`
/// < 2^58, 5^28 > 2^64), so there is nothing to compare.
fn is_decimal_midpoint(x: f64, d: u64, k: i64) -> bool {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1u64 << 52) - 1);
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    if m == 0 || k.abs() > 27 {
        return false;
    }
    let tz = m.trailing_zeros();
    let (m, e) = (u128::from(m >> tz), e + i64::from(tz));
    if e + 1 != k {
        // The powers of two differ (both cases below need `e + 1 = k`).
        return false;
    }
    let five = 5u128.pow(k.unsigned_abs() as u32);
    [2 * u128::from(d) - 1, 2 * u128::from(d) + 1]
        .into_iter()
        .any(|b| {
            if k >= 0 {
                e + 1 == k && m == b * five
            } else {
                e + 1 + (-k) == 0 && m * five == b
            }
        })
}
