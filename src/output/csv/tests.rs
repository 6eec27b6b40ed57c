//! Tests of the CSV writer: number formatting, columns and the output set.

use super::*;
use crate::catalog::failures::FailureKind;
use proptest::prelude::*;

fn fixed(x: f64, decimals: usize) -> String {
    let mut buf = Vec::new();
    push_fixed(&mut buf, x, decimals);
    String::from_utf8(buf).unwrap()
}

#[test]
fn interruption_columns_follow_the_causes_in_order() {
    // A row with interruption i counted i + 1 times writes i + 1 in the
    // column named after cause i.
    let mut interruptions = [0; crate::record::Interruption::COUNT];
    for (i, n) in interruptions.iter_mut().enumerate() {
        *n = i as u64 + 1;
    }
    let row = JobRow {
        id: crate::record::JobId(0),
        name: "j".into(),
        submit_h: 0.0,
        submit: chrono::NaiveDateTime::default(),
        first_start_h: None,
        end_h: None,
        queue_wait_h: 0.0,
        chips: 1,
        rack: String::new(),
        chip: String::new(),
        site: String::new(),
        status: crate::record::JobStatus::QueuedAtEnd,
        interruptions,
        lost_chip_hours: 0.0,
        checkpoint_hours: 0.0,
        restart_hours: 0.0,
        ettr: None,
        flops_done: 0.0,
        chip_hours: 0.0,
        tokens_trained: None,
    };
    let names: Vec<&str> = JOB_COLUMNS.iter().map(|c| c.name).collect();
    let first = names
        .iter()
        .position(|n| *n == "interruptions_gpu")
        .unwrap();
    // Maintenance's column is its own part, after the others.
    let columns: Vec<&Column<JobRow>> = JOB_COLUMNS.iter().chain(JOB_MAINTENANCE_COLUMNS).collect();
    let names: Vec<&str> = names
        .iter()
        .copied()
        .take(first + crate::record::Interruption::COUNT - 1)
        .chain(JOB_MAINTENANCE_COLUMNS.iter().map(|c| c.name))
        .collect();
    let column = |i: usize| {
        if i + 1 < crate::record::Interruption::COUNT {
            columns[first + i]
        } else {
            columns[JOB_COLUMNS.len()]
        }
    };
    for (i, cause) in crate::record::Interruption::ALL.iter().enumerate() {
        assert_eq!(names[first + i], format!("interruptions_{}", cause.key()));
        assert_eq!(cause.index(), i);
        let mut line = Line::new();
        (column(i).put)(&row, &mut line);
        assert_eq!(
            line.buf,
            (i + 1).to_string().into_bytes(),
            "{}",
            names[first + i]
        );
    }
}

#[test]
fn service_summary_counts_are_whole_requests() {
    // Issue 18 item 9: the epoch model's request counts are expected
    // values (1460132307692.313 in the default run); a count is
    // written as the nearest whole request.
    let row = crate::record::ServiceSummaryRow {
        service: "chat".into(),
        requests: 1_460_132_307_692.313,
        served: 1_460_000_000_000.7,
        beyond_capacity: 132_307_691.812_9,
        tokens_in: 0.0,
        tokens_out: 0.0,
        slo_attainment: 1.0,
        replica_hours: 0.0,
        chip_hours: 0.0,
        preemptions: 0,
        replicas_lost: 0,
        replicas_moved: 0,
    };
    let written: Vec<String> = SERVICE_SUMMARY_COLUMNS[1..4]
        .iter()
        .map(|c| {
            let mut line = Line::new();
            (c.put)(&row, &mut line);
            String::from_utf8(line.buf).unwrap()
        })
        .collect();
    assert_eq!(written, ["1460132307692", "1460000000001", "132307692"]);
}

/// The reference: the standard formatter without a negative zero.
fn reference(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

#[test]
fn fixed_decimals_without_negative_zero() {
    assert_eq!(fixed(1.0, 3), "1.000");
    assert_eq!(fixed(-0.0000001, 3), "0.000");
    assert_eq!(fixed(-0.0, 2), "0.00");
    for d in 0..POW10.len() {
        assert_eq!(fixed(0.0, d), reference(0.0, d));
        assert_eq!(fixed(-0.0, d), reference(0.0, d));
    }
    assert_eq!(fixed(-1.5, 1), "-1.5");
    assert_eq!(fixed(12.0, 0), "12");
    assert_eq!(fixed(0.0005, 3), reference(0.0005, 3));
    assert_eq!(fixed(2.675, 2), reference(2.675, 2), "2.675 is 2.67499…");
    assert_eq!(fixed(1e300, 2), reference(1e300, 2));
    assert_eq!(fixed(f64::NAN, 2), "NaN");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    /// The fast path writes the same bytes as the standard formatter.
    #[test]
    fn fixed_matches_the_standard_formatter(x in prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO, d in 0usize..7) {
        prop_assert_eq!(fixed(x, d), reference(x, d));
    }

    /// A number taken without its text (the charts' FieldReader) is the
    /// one its text reads back as, to the bit.
    #[test]
    fn a_fixed_value_is_what_its_text_reads_back_as(x in prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO, d in 0usize..10, k in any::<i64>(), near in any::<bool>()) {
        // Half the cases are decimals of d digits, nudged: near a half.
        let x = if near { (k % 1_000_000_000_000) as f64 / 10f64.powi(d as i32) + x.signum() * 1e-12 } else { x };
        if let Some(v) = super::line::fixed_value(x, d) {
            let read = parse_number(fixed(x, d).as_bytes());
            prop_assert_eq!(v.to_bits(), read.to_bits(), "{} with {} decimals", x, d);
        }
    }

    /// A whole number taken without its text is what its digits read
    /// back as.
    #[test]
    fn an_int_value_is_what_its_digits_read_back_as(n in any::<u64>(), shift in 0u32..64) {
        let n = n >> shift;
        let mut buf = Vec::new();
        push_u64(&mut buf, n);
        prop_assert_eq!((n as f64).to_bits(), parse_number(&buf).to_bits());
    }

    /// Scientific notation is `{:e}`'s, byte for byte, zeros included.
    #[test]
    fn sci_matches_the_standard_formatter(bits in any::<u64>(), zero in any::<bool>()) {
        let x = if zero { 0.0 } else { f64::from_bits(bits) };
        let mut buf = Vec::new();
        push_sci(&mut buf, x);
        prop_assert_eq!(String::from_utf8(buf).unwrap(), format!("{x:e}"));
    }

    /// Whole numbers take Ryu's digits: still `{:e}`'s, at every
    /// magnitude (FLOP counts are whole numbers near 1e20).
    #[test]
    fn sci_of_whole_numbers_matches_the_standard_formatter(n in any::<u64>(), shift in 0i32..970, negative in any::<bool>()) {
        let x = (n as f64) * 2f64.powi(shift) * if negative { -1.0 } else { 1.0 };
        let mut buf = Vec::new();
        push_sci(&mut buf, x);
        prop_assert_eq!(String::from_utf8(buf).unwrap(), format!("{x:e}"));
    }

    #[test]
    fn fixed_matches_on_ties_and_money(cents in -10_000_000_000i64..10_000_000_000, d in 0usize..7) {
        // Values near decimal halves, where rounding is hardest.
        let x = cents as f64 / 1000.0 + 0.0005;
        prop_assert_eq!(fixed(x, d), reference(x, d));
    }
}

#[test]
fn whole_numbers_are_their_decimal_digits() {
    let mut values: Vec<u64> = (0..1000).collect();
    values.extend((1..20).flat_map(|k| {
        let p = 10u64.pow(k);
        [p - 1, p, p + 1]
    }));
    values.push(u64::MAX);
    for n in values {
        let mut buf = Vec::new();
        push_u64(&mut buf, n);
        assert_eq!(String::from_utf8(buf).unwrap(), n.to_string());
    }
}

/// Whole numbers where digits are hardest: powers of two and ten and
/// their neighbours, the edges of the doubles' exact integers, products of
/// the kind a job's FLOP count is.
#[test]
fn sci_of_whole_numbers_at_the_edges() {
    let mut values = vec![1.0, -1.0, -0.0, f64::MAX, -f64::MAX, 9007199254740993.0];
    for k in 0..1024 {
        let p = 2f64.powi(k);
        values.extend([p, p * 3.0, p * 5.0, p + 1.0, -p]);
    }
    for k in 0..309 {
        let p = format!("1e{k}").parse::<f64>().unwrap();
        values.extend([p, -p, p * 7.0, p * 1.5]);
        let ulp = f64::from_bits(p.to_bits() + 1);
        let below = f64::from_bits(p.to_bits() - 1);
        values.extend([ulp, below]);
    }
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..200_000 {
        x = x.rotate_left(17).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        // chips × peak × seconds, as a job's work is computed.
        let chips = (x % 4096 + 1) as f64;
        let seconds = ((x >> 12) % 100_000_000) as f64 / 1000.0;
        values.push((chips * 383e12 * 0.4 * seconds).round());
    }
    for v in values.into_iter().filter(|v| v.fract() == 0.0) {
        let mut buf = Vec::new();
        push_sci(&mut buf, v);
        assert_eq!(String::from_utf8(buf).unwrap(), format!("{v:e}"), "{v:?}");
    }
}

/// Numbers exactly halfway between two decimals one digit shorter, where
/// Ryu and the standard formatter may break the tie apart (they go to the
/// standard formatter), and their neighbours, and decimals of every length
/// such as token counts: `{:e}`'s bytes every time.
#[test]
fn sci_of_decimal_midpoints_and_fractions() {
    let mut values = Vec::new();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // An odd j below 2^53 and k: j·2^(k−1)·5^k for k ≥ 0 is
        // (j·5^k)·10^k / 2 when j·5^k is odd, and j / 2^(1−k) for k < 0.
        let j = ((x >> 11) | 1) as f64;
        let k = (x % 40) as i32 - 20;
        let v = if k >= 0 {
            let odd = j * 5f64.powi(k);
            odd * 2f64.powi(k - 1)
        } else {
            j * 2f64.powi(k - 1)
        };
        values.extend([
            v,
            -v,
            f64::from_bits(v.to_bits() + 1),
            f64::from_bits(v.to_bits() - 1),
        ]);
        // A token count: a rate times a duration.
        let rate = (x % 1_000_000_007) as f64 / 1e3;
        values.push(rate * 900.0 * ((x >> 40) % 97 + 1) as f64 / 7.0);
    }
    for v in values.into_iter().filter(|v| v.is_finite()) {
        let mut buf = Vec::new();
        push_sci(&mut buf, v);
        assert_eq!(String::from_utf8(buf).unwrap(), format!("{v:e}"), "{v:?}");
    }
}

#[test]
fn text_is_quoted_as_the_csv_crate_quotes_it() {
    let fields = ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""];
    let mut line = Line::new();
    for f in fields {
        line.text(f);
    }
    line.end();
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(fields).unwrap();
    assert_eq!(line.buf, w.into_inner().unwrap());
}

#[test]
fn failure_columns_follow_the_classes() {
    let names =
        |cols: &[&'static str]| -> Vec<String> { cols.iter().map(|s| s.to_string()).collect() };
    let classes: Vec<String> = FailureKind::ALL
        .iter()
        .map(|k| format!("failures_{}", k.key()))
        .collect();
    let sample: Vec<&str> = SAMPLE_COLUMNS.iter().map(|c| c.name).collect();
    assert_eq!(names(&sample[sample.len() - 9..]), classes);
    let summary: Vec<&str> = SUMMARY_COLUMNS.iter().map(|c| c.name).collect();
    let n = summary.len();
    assert_eq!(names(&summary[n - 10..n - 1]), classes);
}

#[test]
fn files_appear_only_when_finished() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let rec = CsvRecorder::create(&dir, true).unwrap();
    assert!(!dir.exists(), "nothing in the target before finish");
    drop(rec);
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "dropped: staging folder removed"
    );
    let rec = CsvRecorder::create(&dir, false).unwrap();
    let written = rec.finish().unwrap();
    // timeseries, capacity, buildout, summary (.csv and .json).
    assert_eq!(written.len(), 5);
    assert!(dir.join("summary.json").exists());
    assert!(!dir.join("report.html").exists(), "no report unless asked");
    assert!(dir.join("capacity.csv").exists());
    assert!(dir.join("timeseries.csv").exists());
    assert!(!dir.join("failures.csv").exists());
}

#[test]
fn numbers_read_as_str_parse_reads_them() {
    for s in [
        "0",
        "-0.000",
        "300.000",
        "12.345678",
        "-961853707.78",
        "1.5e24",
        "0e0",
        "",
        "x",
        "NaN",
        "1.2.3",
    ] {
        let want = s.parse::<f64>().unwrap_or(f64::NAN);
        let got = parse_number(s.as_bytes());
        assert!(
            got == want || (got.is_nan() && want.is_nan()),
            "{s}: {got} vs {want}"
        );
    }
}

proptest! {
    #[test]
    fn fixed_decimals_read_exactly(cents in -10_000_000_000_000i64..10_000_000_000_000, d in 0usize..7) {
        let x = cents as f64 / 100.0;
        let s = format!("{x:.d$}");
        prop_assert_eq!(parse_number(s.as_bytes()).to_bits(), s.parse::<f64>().unwrap().to_bits());
    }
}

proptest! {
    /// Dates and instants are written as chrono formats them (the
    /// timestamps dcsim wrote as text before they were typed), fractions of
    /// a second dropped; two fields on one line are comma-separated.
    #[test]
    fn dates_and_instants_match_chrono(day in -800_000i64..3_000_000, second in 0u32..86_400, nanos in 0u32..1_000_000_000) {
        let date = chrono::NaiveDate::from_num_days_from_ce_opt(day as i32).unwrap();
        let t = date.and_time(chrono::NaiveTime::from_num_seconds_from_midnight_opt(second, nanos).unwrap());
        let mut line = Line::new();
        line.date(date);
        line.date_time(t);
        let want = format!("{},{}", date.format("%Y-%m-%d"), t.format("%Y-%m-%dT%H:%M:%S"));
        prop_assert_eq!(String::from_utf8(line.buf).unwrap(), want);
    }
}

#[test]
fn eight_digits_are_the_zero_padded_decimal_digits() {
    use super::line::eight_digits;
    let check = |n: u32| {
        assert_eq!(
            eight_digits(n).to_le_bytes(),
            format!("{n:08}").as_bytes(),
            "{n}"
        );
    };
    (0..100_000).for_each(check);
    // Every lane's edges: each group of four and each pair at 0 and 9s.
    for hi in [0, 1, 9, 10, 99, 100, 999, 1000, 9999] {
        for lo in [0, 1, 9, 10, 99, 100, 999, 1000, 9999] {
            check(hi * 10_000 + lo);
        }
    }
    (0..100_000_000).step_by(9_973).for_each(check);
    check(99_999_999);
}

/// The fixed-decimal fast path against the standard formatter at every
/// decimals count a column uses and past it: negatives, values rounding
/// to zero, halves and their neighbours, every digit count up to the
/// largest integer the fast path takes.
#[test]
fn fixed_matches_the_standard_formatter_at_the_edges() {
    let mut values = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        0.049,
        -0.049,
        1e-7,
        -1e-7,
        1e-300,
        -1e-300,
        2.675,
        1.0005,
        9.9995,
        99.99949,
        123_456.789_012_345,
        -123_456.789_012_345,
        8_999_999_999_999_999.0,
        9e15,
        1e16,
        1e300,
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    for k in 0..18 {
        let p = 10f64.powi(k);
        for v in [p, p - 1.0, p + 1.0, p / 3.0, p * 0.999_999_9, p + 0.5] {
            values.extend([v, -v, v / 1e9, -v / 1e9, v / 1e3 + 0.000_5]);
        }
    }
    for (d, scale) in POW10.iter().enumerate() {
        for &x in &values {
            assert_eq!(fixed(x, d), reference(x, d), "{x:?} with {d} decimals");
            // Halves at the last decimal and next to them.
            let half = (x * scale).trunc() / scale + 0.5 / scale;
            for h in [
                half,
                f64::from_bits(half.to_bits() + 1),
                f64::from_bits(half.to_bits().wrapping_sub(1)),
            ] {
                assert_eq!(fixed(h, d), reference(h, d), "{h:?} with {d} decimals");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    /// Decimals of every digit count (a scaled integer over 10^k) written
    /// with every decimals count match the standard formatter.
    #[test]
    fn fixed_matches_the_standard_formatter_for_decimals(n in any::<i64>(), shift in 0u32..64, k in 0i32..19, d in 0usize..10) {
        let x = (n >> shift) as f64 / 10f64.powi(k);
        prop_assert_eq!(fixed(x, d), reference(x, d));
    }

    /// A repeated number or instant is written as the first time, and the
    /// next different one as itself.
    #[test]
    fn repeated_fields_are_written_as_the_first(a in -1e9f64..1e9, b in -1e9f64..1e9, d in 0usize..10, day in 0i64..1_000_000, second in 0u32..86_400) {
        let date = chrono::NaiveDate::from_num_days_from_ce_opt(day as i32).unwrap();
        let t = date.and_time(chrono::NaiveTime::from_num_seconds_from_midnight_opt(second, 0).unwrap());
        let u = t + chrono::Duration::seconds(1);
        let mut line = Line::new();
        for x in [a, a, b, b, a] {
            line.fixed_repeating(x, d);
        }
        for x in [t, t, u, u, t] {
            line.date_time(x);
        }
        let (a, b) = (reference(a, d), reference(b, d));
        let (t, u) = (t.format("%Y-%m-%dT%H:%M:%S"), u.format("%Y-%m-%dT%H:%M:%S"));
        prop_assert_eq!(String::from_utf8(line.buf).unwrap(), format!("{a},{a},{b},{b},{a},{t},{t},{u},{u},{t}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    /// Numbers Ryu writes in decimal notation (1e-5 to 1e16: fractions,
    /// whole numbers with trailing zeros, both signs) still give `{:e}`'s
    /// bytes once moved into scientific notation.
    #[test]
    fn sci_of_decimal_notation_matches_the_standard_formatter(n in any::<i64>(), shift in 0u32..64, k in -5i32..22, bits in any::<u64>()) {
        let scaled = (n >> shift) as f64 / 10f64.powi(k);
        // Any double between 1e-6 and 1e17, by its bits.
        let lo = 1e-6f64.to_bits();
        let any = f64::from_bits(lo + bits % (1e17f64.to_bits() - lo));
        for x in [scaled, any, -any] {
            let mut buf = Vec::new();
            push_sci(&mut buf, x);
            prop_assert_eq!(String::from_utf8(buf).unwrap(), format!("{x:e}"));
        }
    }
}
