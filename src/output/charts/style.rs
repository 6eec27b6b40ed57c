//! The look shared by every chart: slide size, font sizes, colours, axes
//! with chosen ticks, a legend row under the title, and number formats.
//!
//! Sizes are plotters' font sizes; a plotters size `s` draws glyphs of
//! about `s / 1.24` pixels per em (the SVG's `font-size`), so tick labels
//! at [`TICK`] = 23 are 18.5 px on a 1280 × 720 slide.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::reduce::MinMaxSeries;

/// Width and height of every chart \[px\]: a 16:9 slide.
pub const SIZE: (u32, u32) = (1280, 720);
/// The font family (the embedded DejaVu Sans).
pub const FONT: &str = "sans-serif";
/// Title.
pub const TITLE: u32 = 38;
/// Panel captions.
pub const CAPTION: u32 = 26;
/// Axis descriptions.
pub const AXIS: u32 = 25;
/// Tick labels.
pub const TICK: u32 = 23;
/// Legend entries.
pub const LEGEND: u32 = 23;

/// Text colour.
pub const INK: RGBColor = RGBColor(34, 34, 34);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(222, 222, 222);
/// Distinct colours for series, in order.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
/// Colour of limits: a grid connection, a latency target.
pub const LIMIT: RGBColor = RGBColor(200, 30, 30);
/// Positive money.
pub const GAIN: RGBColor = RGBColor(46, 139, 87);
/// Negative money.
pub const LOSS: RGBColor = RGBColor(205, 92, 92);

/// The `i`-th palette colour (cycling).
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Text in the chart font at `size`, in the ink colour.
pub fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug)]
pub enum Swatch {
    /// A solid line of this width.
    Line(RGBColor, u32),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled box (bars).
    Bar(RGBColor),
}

/// One legend entry.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its label.
    pub label: String,
    /// Its mark.
    pub swatch: Swatch,
}

impl Entry {
    /// An entry.
    pub fn new(label: impl Into<String>, swatch: Swatch) -> Entry {
        Entry {
            label: label.into(),
            swatch,
        }
    }
}

type AreaResult<DB, T> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Paints the background, writes `title` at the top and the legend
/// centred in rows under it; returns the area left for the panels.
pub fn header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &[Entry],
) -> AreaResult<DB, DrawingArea<DB, Shift>> {
    area.fill(&WHITE)?;
    let (width, _) = area.dim_in_pixel();
    let title_style = text(TITLE).pos(Pos::new(HPos::Center, VPos::Top));
    area.draw(&Text::new(
        title.to_string(),
        (width as i32 / 2, 10),
        title_style,
    ))?;
    let mut top = 10 + TITLE as i32 + 8;

    // Lay the legend out in rows no wider than the chart.
    let style = text(LEGEND);
    let swatch_w = 34;
    let gap = 30;
    let mut rows: Vec<Vec<(&Entry, i32)>> = vec![Vec::new()];
    let mut row_w = 0;
    for e in legend {
        let (w, _) = area.estimate_text_size(&e.label, &style)?;
        let entry_w = swatch_w + 8 + w as i32;
        let last = rows.last_mut().expect("one row at least");
        if !last.is_empty() && row_w + gap + entry_w > width as i32 - 40 {
            rows.push(Vec::new());
            row_w = 0;
        }
        let last = rows.last_mut().expect("one row at least");
        if !last.is_empty() {
            row_w += gap;
        }
        last.push((e, entry_w));
        row_w += entry_w;
    }
    let row_h = LEGEND as i32 + 6;
    for row in rows.iter().filter(|r| !r.is_empty()) {
        let total: i32 = row.iter().map(|(_, w)| w).sum::<i32>() + gap * (row.len() as i32 - 1);
        let mut x = (width as i32 - total) / 2;
        let y = top + row_h / 2;
        for (e, w) in row {
            draw_swatch(area, e.swatch, (x, y), swatch_w)?;
            area.draw(&Text::new(
                e.label.clone(),
                (x + swatch_w + 8, y),
                style.pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += w + gap;
        }
        top += row_h;
    }
    Ok(area.split_vertically(top + 6).1)
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    (x, y): (i32, i32),
    w: i32,
) -> AreaResult<DB, ()> {
    match swatch {
        Swatch::Line(c, width) => area.draw(&PathElement::new(
            vec![(x, y), (x + w, y)],
            c.stroke_width(width.max(3)),
        )),
        Swatch::Dashed(c) => {
            for i in 0..3 {
                let x0 = x + i * 13;
                area.draw(&PathElement::new(
                    vec![(x0, y), (x0 + 8, y)],
                    c.stroke_width(3),
                ))?;
            }
            Ok(())
        }
        Swatch::Bar(c) => area.draw(&Rectangle::new(
            [(x + 4, y - 9), (x + w - 4, y + 9)],
            c.filled(),
        )),
    }
}

/// A number axis: its range, the ticks to label, linear or logarithmic.
/// Implements plotters' [`Ranged`], so a chart's mesh draws exactly these
/// ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    ticks: Vec<f64>,
    decimals: usize,
}

impl Axis {
    /// A linear axis covering `[lo, hi]`, widened to round ticks (about
    /// five of them), always including zero when both are on one side of it
    /// and `include_zero`.
    pub fn linear(lo: f64, hi: f64, include_zero: bool) -> Axis {
        let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() && hi >= lo {
            (lo, hi)
        } else {
            (0.0, 1.0)
        };
        if include_zero {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
        }
        if hi - lo < 1e-12 * hi.abs().max(lo.abs()).max(1e-300) {
            let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
            lo -= if lo == 0.0 && include_zero { 0.0 } else { pad };
            hi += pad;
        }
        let step = nice_step((hi - lo) / 5.0);
        let first = (lo / step + 1e-9).floor();
        let last = (hi / step - 1e-9).ceil();
        let ticks: Vec<f64> = (first as i64..=last as i64)
            .map(|k| k as f64 * step)
            .collect();
        let decimals = decimals_of(step);
        Axis {
            lo: first * step,
            hi: last * step,
            log: false,
            ticks,
            decimals,
        }
    }

    /// A logarithmic axis covering `[lo, hi]` (both above zero), widened to
    /// powers of ten, which are its ticks.
    pub fn log(lo: f64, hi: f64) -> Axis {
        let lo = if lo.is_finite() && lo > 0.0 { lo } else { 1e-3 };
        let hi = if hi.is_finite() && hi > lo {
            hi
        } else {
            lo * 10.0
        };
        let a = lo.log10().floor() as i32;
        let b = (hi.log10().ceil() as i32).max(a + 1);
        let ticks: Vec<f64> = (a..=b).map(|k| 10f64.powi(k)).collect();
        Axis {
            lo: 10f64.powi(a),
            hi: 10f64.powi(b),
            log: true,
            ticks,
            decimals: (-a).max(0) as usize,
        }
    }

    /// An axis with given ticks (a time or month axis).
    pub fn with_ticks(lo: f64, hi: f64, ticks: Vec<f64>) -> Axis {
        Axis {
            lo,
            hi: if hi > lo { hi } else { lo + 1.0 },
            log: false,
            ticks,
            decimals: 0,
        }
    }

    /// The lower end.
    pub fn lo(&self) -> f64 {
        self.lo
    }

    /// The upper end.
    pub fn hi(&self) -> f64 {
        self.hi
    }

    /// A linear axis over exactly `[lo, hi]`, with round ticks inside it.
    pub fn within(lo: f64, hi: f64) -> Axis {
        let mut axis = Axis::linear(lo, hi, false);
        axis.ticks
            .retain(|t| *t >= lo - 1e-9 * lo.abs() && *t <= hi + 1e-9 * hi.abs());
        axis.lo = lo;
        axis.hi = hi;
        axis
    }

    /// The ticks the mesh labels.
    pub fn key_points_bold(&self) -> Vec<f64> {
        self.key_points(plotters::coord::ranged1d::BoldPoints(
            self.ticks.len().max(1),
        ))
    }

    /// The label of tick value `v`.
    pub fn label(&self, v: f64) -> String {
        if self.log {
            let decimals = if v > 0.0 && v < 1.0 {
                (-v.log10()).ceil() as usize
            } else {
                0
            };
            return grouped(v, decimals);
        }
        grouped(v, self.decimals)
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let (a, b, x) = if self.log {
            (self.lo.ln(), self.hi.ln(), v.max(self.lo * 1e-3).ln())
        } else {
            (self.lo, self.hi, *v)
        };
        let t = if b > a {
            ((x - a) / (b - a)).clamp(-4.0, 5.0)
        } else {
            0.5
        };
        limit.0 + ((limit.1 - limit.0) as f64 * t).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            // Light grid lines: none.
            return Vec::new();
        }
        self.ticks
            .iter()
            .copied()
            .filter(|t| {
                *t >= self.lo - 1e-9 * self.lo.abs() && *t <= self.hi + 1e-9 * self.hi.abs()
            })
            .collect()
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// A round step near `raw`: 1, 2, 2.5 or 5 × 10ⁿ.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 2.5 {
        2.5
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * p
}

/// Decimals that show a multiple of `step` exactly.
fn decimals_of(step: f64) -> usize {
    let mut d = 0;
    while d < 6
        && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-6
    {
        d += 1;
    }
    d
}

/// `x` with `decimals` digits and thousands separators: `1,234,567.5`.
pub fn grouped(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let mut out = String::new();
    let negative = x < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    if negative {
        out.push('−');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A unit to show large amounts in: its divisor and name.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// What the values are divided by.
    pub divisor: f64,
    /// The unit's name, e.g. `$M`, `thousand chips`.
    pub name: String,
}

/// Dollars, thousands, millions or billions of them for amounts up to
/// `largest` (absolute).
pub fn money_unit(largest: f64) -> Unit {
    let (divisor, name) = match largest.abs() {
        x if x >= 2e9 => (1e9, "$B"),
        x if x >= 2e6 => (1e6, "$M"),
        x if x >= 2e3 => (1e3, "$k"),
        _ => (1.0, "$"),
    };
    Unit {
        divisor,
        name: name.to_string(),
    }
}

/// Counts of `what` (plural), in thousands or millions for counts up to
/// `largest`.
pub fn count_unit(largest: f64, what: &str) -> Unit {
    let (divisor, prefix) = match largest.abs() {
        x if x >= 2e6 => (1e6, "million "),
        x if x >= 2e4 => (1e3, "thousand "),
        _ => (1.0, ""),
    };
    Unit {
        divisor,
        name: format!("{prefix}{what}"),
    }
}

/// A power of ten for amounts up to `largest`: `(10ⁿ, "10ⁿ")`, or `(1, "")`
/// below 10⁴.
pub fn power_of_ten(largest: f64) -> (f64, String) {
    if !(largest.is_finite() && largest >= 1e4) {
        return (1.0, String::new());
    }
    let n = largest.log10().floor() as i32;
    let digits: String = n
        .to_string()
        .chars()
        .map(|c| match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            '9' => '⁹',
            other => other,
        })
        .collect();
    (10f64.powi(n), format!("10{digits}"))
}

/// How a series is stroked.
#[derive(Clone, Copy, Debug)]
pub enum Stroke {
    /// Solid, of this width \[px\].
    Solid(u32),
    /// Dashed, 3 px wide.
    Dashed,
}

/// A reduced series to draw, divided by `divisor`.
#[derive(Clone, Copy)]
pub struct Line<'a> {
    /// The series.
    pub series: &'a MinMaxSeries,
    /// Its colour.
    pub color: RGBColor,
    /// Its stroke.
    pub stroke: Stroke,
    /// What its values are divided by.
    pub divisor: f64,
}

impl<'a> Line<'a> {
    /// A solid line 3 px wide.
    pub fn solid(series: &'a MinMaxSeries, color: RGBColor, divisor: f64) -> Line<'a> {
        Line {
            series,
            color,
            stroke: Stroke::Solid(3),
            divisor,
        }
    }

    /// A dashed line.
    pub fn dashed(series: &'a MinMaxSeries, color: RGBColor, divisor: f64) -> Line<'a> {
        Line {
            series,
            color,
            stroke: Stroke::Dashed,
            divisor,
        }
    }

    /// The points to draw, divided.
    pub fn points(&self) -> Vec<(f64, f64)> {
        self.series
            .points()
            .into_iter()
            .map(|(x, y)| (x, y / self.divisor))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_have_round_ticks() {
        let a = Axis::linear(0.0, 316_800.0, true);
        assert_eq!(a.range(), 0.0..400_000.0);
        assert_eq!(a.label(100_000.0), "100,000");
        let a = Axis::linear(-3.2, 5.75, true);
        assert_eq!((a.lo(), a.hi()), (-4.0, 6.0));
        assert_eq!(a.label(-2.0), "−2");
        let a = Axis::linear(0.0, 0.0, true);
        assert_eq!(a.range(), 0.0..1.0);
        let a = Axis::linear(0.0, 1.2, true);
        assert_eq!(a.label(0.25), "0.25");
        let a = Axis::log(0.03, 443.0);
        assert_eq!(a.range(), 0.01..1000.0);
        assert_eq!(a.label(0.01), "0.01");
        assert_eq!(a.label(1000.0), "1,000");
    }

    #[test]
    fn units_and_powers() {
        assert_eq!(money_unit(38e9).name, "$B");
        assert_eq!(money_unit(-3.1e9).divisor, 1e9);
        assert_eq!(money_unit(1.9e6).name, "$k");
        assert_eq!(count_unit(316_800.0, "chips").name, "thousand chips");
        assert_eq!(power_of_ten(4.2e27), (1e27, "10²⁷".to_string()));
        assert_eq!(grouped(-0.0001, 2), "0.00");
        assert_eq!(grouped(1234567.25, 1), "1,234,567.2");
    }
}
