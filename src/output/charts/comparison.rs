//! Charts that put runs side by side: a figure per run or per combination
//! of a sweep as horizontal bars (with 95 % intervals and the replications
//! as dots), a figure against a varied number as mean lines with their
//! confidence bands, and fleet time series as one line per run on calendar
//! dates.
//!
//! Each chart holds plain numbers already scaled to the unit of its axis;
//! what the numbers are is decided by the sweep and comparison writers
//! ([`crate::sweep::files`], [`crate::output::compare`]). Sized for a
//! slide ([`SLIDE`]): titles, axis names with units and legends in type
//! large enough to read there.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::Chart;

/// The size charts are drawn at \[pixels\]: a 16:9 slide.
pub const SLIDE: (u32, u32) = (1280, 720);

const TITLE: u32 = 30;
const AXIS: u32 = 22;
const TICKS: u32 = 18;
const LEGEND: u32 = 18;

/// Distinct colors for up to ten series; more series reuse them.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 100, 180),
    RGBColor(230, 110, 20),
    RGBColor(40, 150, 60),
    RGBColor(200, 40, 45),
    RGBColor(130, 90, 180),
    RGBColor(130, 80, 60),
    RGBColor(220, 100, 180),
    RGBColor(110, 110, 110),
    RGBColor(170, 170, 30),
    RGBColor(20, 170, 190),
];

/// The color of series `i`.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A number for a tick or a label on an axis spanning `span`: more
/// decimals for smaller spans, thousands grouped.
pub fn short_number(x: f64, span: f64) -> String {
    // Enough decimals to tell ticks a tenth of the span apart.
    let span = span.abs();
    let decimals = if span > 0.0 && span.is_finite() {
        (-(span / 10.0).log10()).ceil().clamp(0.0, 6.0) as usize
    } else {
        0
    };
    let s = format!("{x:.decimals$}");
    let s = if s
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    };
    with_thousands(&s)
}

/// `1234567.5` → `1,234,567.5`.
fn with_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// The width in pixels of a bar chart's label area: about 11 px a
/// character of the longest label, between 80 and 560 px.
pub(super) fn label_area_width(labels: &[&str]) -> u32 {
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    (longest as u32 * 11 + 30).clamp(80, 560)
}

/// The label of a horizontal bar chart's segment: segments 0..=n−1 hold
/// the bars bottom up, so the first bar is drawn in the top one.
pub(super) fn segment_label(labels: &[&str], v: &SegmentValue<i32>) -> String {
    match v {
        SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
            let k = labels.len() as i32 - 1 - i;
            labels
                .get(usize::try_from(k).unwrap_or(usize::MAX))
                .map_or(String::new(), |s| s.to_string())
        }
        SegmentValue::Last => String::new(),
    }
}

/// A range covering `values` with some room, and always `0` when `with_zero`.
pub(super) fn padded(values: impl Iterator<Item = f64>, with_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if with_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let span = hi - lo;
    let room = if span > 0.0 {
        span * 0.08
    } else {
        hi.abs().max(1.0) * 0.1
    };
    let lo = if with_zero && lo == 0.0 {
        0.0
    } else {
        lo - room
    };
    let hi = if with_zero && hi == 0.0 {
        0.0
    } else {
        hi + room
    };
    (lo, hi)
}

/// One bar: a run, or a combination of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Its label, left of the bar.
    pub label: String,
    /// Its length (the mean, for a combination).
    pub value: f64,
    /// The 95 % interval, drawn as a whisker.
    pub interval: Option<(f64, f64)>,
    /// The replications, drawn as dots.
    pub points: Vec<f64>,
    /// Its color's index (a run's, in a comparison).
    pub color: usize,
}

/// Horizontal bars, one per run or combination, top to bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct Bars {
    /// The title.
    pub title: String,
    /// The value axis' name with its unit.
    pub value_label: String,
    /// The bars.
    pub bars: Vec<Bar>,
    /// A note under the title (how intervals are drawn), if any.
    pub note: Option<String>,
}

impl Bars {
    /// Whether the bars are drawn from zero: unless every value has the
    /// same sign and they differ by less than a fifth of the largest, when
    /// bars from zero would hide the differences; then the means are drawn
    /// as dots on an axis that does not start at zero (said in the axis
    /// name).
    fn drawn_from_zero(&self) -> bool {
        let values: Vec<f64> = self.bars.iter().map(|b| b.value).collect();
        let (lo, hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                (l.min(v), h.max(v))
            });
        let same_sign = lo > 0.0 || hi < 0.0;
        !(same_sign && hi - lo < 0.2 * lo.abs().max(hi.abs()))
    }
}

/// Decimals that show 3 significant digits of `x` below 100.
fn significant(x: f64) -> usize {
    let x = x.abs();
    if x >= 100.0 || x == 0.0 || !x.is_finite() {
        0
    } else {
        (2.0 - x.log10().floor()).clamp(0.0, 6.0) as usize
    }
}

/// Decimals that tell values `spread` apart (2 significant digits of it).
fn decimals_for(spread: f64, magnitude: f64) -> usize {
    let reference = if spread > 0.0 { spread } else { magnitude };
    if reference <= 0.0 || !reference.is_finite() {
        return 0;
    }
    (1.0 - reference.log10().floor()).clamp(0.0, 6.0) as usize
}

impl Chart for Bars {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        area.fill(&WHITE)?;
        let area = titled(area, &self.title, self.note.as_deref())?;
        let n = self.bars.len().max(1);
        let from_zero = self.drawn_from_zero();
        let (lo, hi) = padded(
            self.bars.iter().flat_map(|b| {
                let (l, h) = b.interval.unwrap_or((b.value, b.value));
                [b.value, l, h].into_iter().chain(b.points.iter().copied())
            }),
            from_zero,
        );
        let labels: Vec<&str> = self.bars.iter().map(|b| b.label.as_str()).collect();
        let label_width = label_area_width(&labels);
        // Segments 0..=n−1, one per bar, the first bar in the top one.
        let mut chart = ChartBuilder::on(&area)
            .margin(20)
            .margin_right(90)
            .x_label_area_size(70)
            .y_label_area_size(label_width)
            .build_cartesian_2d(lo..hi, (0..n as i32 - 1).into_segmented())?;
        let span = hi - lo;
        let label_of = |v: &SegmentValue<i32>| segment_label(&labels, v);
        let tick = |x: &f64| short_number(*x, span);
        let axis_name = if from_zero {
            self.value_label.clone()
        } else {
            format!("{} (axis not from zero)", self.value_label)
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&label_of)
            .x_label_formatter(&tick)
            .x_desc(axis_name.as_str())
            .label_style(("sans-serif", TICKS))
            .axis_desc_style(("sans-serif", AXIS))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        let means = self.bars.iter().map(|b| b.value);
        let (min, max) = means.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
        let decimals = decimals_for(max - min, max.abs().max(min.abs()));
        for (k, bar) in self.bars.iter().enumerate() {
            let c = color(bar.color);
            let i = n as i32 - 1 - k as i32;
            let y = SegmentValue::CenterOf(i);
            if from_zero {
                let mut rect = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(i)),
                        (bar.value, SegmentValue::Exact(i + 1)),
                    ],
                    c.mix(0.55).filled(),
                );
                let pad = (500 / n as u32).clamp(4, 30);
                rect.set_margin(pad, pad, 0, 0);
                chart.draw_series(std::iter::once(rect))?;
            } else {
                // A thin guide from the axis, then the mean as a dot.
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(lo, y.clone()), (bar.value, y.clone())],
                    c.mix(0.35).stroke_width(2),
                )))?;
                chart.draw_series(std::iter::once(Circle::new(
                    (bar.value, y.clone()),
                    9,
                    c.filled(),
                )))?;
            }
            chart.draw_series(
                bar.points
                    .iter()
                    .map(|&p| Circle::new((p, y.clone()), 4, BLACK.mix(0.55).filled())),
            )?;
            if let Some((l, h)) = bar.interval {
                let style = BLACK.stroke_width(2);
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(l, y.clone()), (h, y.clone())],
                    style,
                )))?;
                chart.draw_series([l, h].into_iter().map(|x| {
                    EmptyElement::at((x, y.clone()))
                        + PathElement::new(vec![(0, -8), (0, 8)], style)
                }))?;
            }
            // The value, right of everything drawn for the bar.
            let end = bar
                .points
                .iter()
                .copied()
                .chain([bar.value, bar.interval.map_or(bar.value, |p| p.1)])
                .fold(f64::NEG_INFINITY, f64::max);
            let end = if from_zero { end.max(0.0) } else { end };
            let digits = decimals.max(significant(bar.value));
            let text = with_thousands(&format!("{:.digits$}", bar.value));
            let style = ("sans-serif", TICKS).into_font().color(&BLACK);
            chart.draw_series(std::iter::once(
                EmptyElement::at((end, y.clone())) + Text::new(text, (12, -9), style),
            ))?;
        }
        if from_zero {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Last)],
                BLACK.stroke_width(1),
            )))?;
        }
        Ok(())
    }
}

/// One point of a mean line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandPoint {
    /// The varied value.
    pub x: f64,
    /// The mean over replications.
    pub mean: f64,
    /// The 95 % interval, if there is more than one replication.
    pub interval: Option<(f64, f64)>,
}

/// A mean line with its band and its replications.
#[derive(Clone, Debug, PartialEq)]
pub struct BandSeries {
    /// Its legend entry (the other varied values; empty for one series).
    pub label: String,
    /// The means, by increasing x.
    pub points: Vec<BandPoint>,
    /// Every replication's value.
    pub samples: Vec<(f64, f64)>,
}

/// Mean lines against a varied number, with shaded 95 % bands.
#[derive(Clone, Debug, PartialEq)]
pub struct Bands {
    /// The title.
    pub title: String,
    /// A note under the title.
    pub note: Option<String>,
    /// The x axis' name (the varied path).
    pub x_label: String,
    /// The y axis' name with its unit.
    pub y_label: String,
    /// The series.
    pub series: Vec<BandSeries>,
}

impl Chart for Bands {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        area.fill(&WHITE)?;
        let area = titled(area, &self.title, self.note.as_deref())?;
        let (x0, x1) = padded(
            self.series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.x)),
            false,
        );
        let (y0, y1) = padded(
            self.series.iter().flat_map(|s| {
                s.points
                    .iter()
                    .flat_map(|p| {
                        let (l, h) = p.interval.unwrap_or((p.mean, p.mean));
                        [p.mean, l, h]
                    })
                    .chain(s.samples.iter().map(|q| q.1))
            }),
            false,
        );
        let mut chart = ChartBuilder::on(&area)
            .margin(20)
            .margin_right(40)
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let (xs, ys) = (x1 - x0, y1 - y0);
        let xtick = |x: &f64| short_number(*x, xs);
        let ytick = |y: &f64| short_number(*y, ys);
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&xtick)
            .y_label_formatter(&ytick)
            .label_style(("sans-serif", TICKS))
            .axis_desc_style(("sans-serif", AXIS))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        let legend = self.series.len() > 1 || !self.series.iter().all(|s| s.label.is_empty());
        for (i, s) in self.series.iter().enumerate() {
            let c = color(i);
            let banded: Vec<(f64, f64, f64)> = s
                .points
                .iter()
                .filter_map(|p| p.interval.map(|(l, h)| (p.x, l, h)))
                .collect();
            if banded.len() >= 2 {
                let outline: Vec<(f64, f64)> = banded
                    .iter()
                    .map(|&(x, _, h)| (x, h))
                    .chain(banded.iter().rev().map(|&(x, l, _)| (x, l)))
                    .collect();
                chart.draw_series(std::iter::once(Polygon::new(outline, c.mix(0.18).filled())))?;
            }
            let style = c.mix(0.7).stroke_width(2);
            for &(x, l, h) in &banded {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, l), (x, h)],
                    style,
                )))?;
                chart.draw_series([l, h].into_iter().map(|y| {
                    EmptyElement::at((x, y)) + PathElement::new(vec![(-7, 0), (7, 0)], style)
                }))?;
            }
            chart.draw_series(
                s.samples
                    .iter()
                    .map(|&(x, y)| Circle::new((x, y), 3, c.mix(0.45).filled())),
            )?;
            let line = chart.draw_series(LineSeries::new(
                s.points.iter().map(|p| (p.x, p.mean)),
                c.stroke_width(3),
            ))?;
            if legend {
                line.label(s.label.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3))
                });
            }
            chart.draw_series(
                s.points
                    .iter()
                    .map(|p| Circle::new((p.x, p.mean), 6, c.filled())),
            )?;
        }
        if legend {
            let corner = legend_corner(
                self.series.iter().flat_map(|s| {
                    s.points
                        .iter()
                        .flat_map(|p| {
                            let (l, h) = p.interval.unwrap_or((p.mean, p.mean));
                            [(p.x, p.mean), (p.x, l), (p.x, h)]
                        })
                        .chain(s.samples.iter().copied())
                }),
                (x0, x1),
                (y0, y1),
                self.series.len(),
            );
            chart
                .configure_series_labels()
                .position(corner)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.4))
                .label_font(("sans-serif", LEGEND))
                .draw()?;
        }
        Ok(())
    }
}

/// A time series of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The run's name, in the legend.
    pub label: String,
    /// Its color's index (the run's, so a run keeps its color across
    /// charts).
    pub color: usize,
    /// (days since 1970-01-01, value), in time order.
    pub points: Vec<(f64, f64)>,
}

/// One line per run over calendar dates, each over its own span.
#[derive(Clone, Debug, PartialEq)]
pub struct Lines {
    /// The title.
    pub title: String,
    /// A note under the title.
    pub note: Option<String>,
    /// The y axis' name with its unit.
    pub y_label: String,
    /// The lines.
    pub lines: Vec<Line>,
}

#[cfg(test)]
/// `YYYY-MM` of a day count since 1970-01-01.
pub fn month_of(days: f64) -> String {
    date_of(days, "%Y-%m")
}

/// A day count since 1970-01-01 formatted with chrono's `format`.
fn date_of(days: f64, format: &str) -> String {
    chrono::DateTime::from_timestamp((days * 86_400.0).round() as i64, 0)
        .map_or(String::new(), |t| t.format(format).to_string())
}

/// Days since 1970-01-01 of January 1st of `year`.
fn new_year(year: i32) -> f64 {
    chrono::NaiveDate::from_ymd_opt(year, 1, 1)
        .map_or(0.0, |d| d.signed_duration_since(epoch()).num_days() as f64)
}

fn epoch() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")
}

/// The calendar year (fractional: 2027.5 is mid-2027) of a day count since
/// 1970-01-01. The x axis of time series counts years, so that its ticks
/// fall on January 1st; they are labelled with dates.
fn years(days: f64) -> f64 {
    let whole = epoch() + chrono::Duration::days(days.floor() as i64);
    let year = chrono::Datelike::year(&whole);
    let (start, end) = (new_year(year), new_year(year + 1));
    f64::from(year) + (days - start) / (end - start)
}

/// The day count since 1970-01-01 of a fractional calendar year.
fn days_of_year(x: f64) -> f64 {
    let year = x.floor() as i32;
    let (start, end) = (new_year(year), new_year(year + 1));
    start + (x - f64::from(year)) * (end - start)
}

impl Chart for Lines {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        area.fill(&WHITE)?;
        let area = titled(area, &self.title, self.note.as_deref())?;
        let all = || {
            self.lines
                .iter()
                .flat_map(|l| l.points.iter().map(|&(d, v)| (years(d), v)))
        };
        let (x0, x1) = padded(all().map(|p| p.0), false);
        let (y0, y1) = padded(all().map(|p| p.1), true);
        let mut chart = ChartBuilder::on(&area)
            .margin(20)
            .margin_right(40)
            .x_label_area_size(70)
            .y_label_area_size(120)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let ys = y1 - y0;
        let ytick = |y: &f64| short_number(*y, ys);
        // Months over spans of a year or more, days over shorter ones.
        let format = if x1 - x0 >= 1.0 { "%Y-%m" } else { "%Y-%m-%d" };
        let xtick = |x: &f64| date_of(days_of_year(*x), format);
        chart
            .configure_mesh()
            .x_desc("date (each run over its own span)")
            .y_desc(self.y_label.as_str())
            .x_labels(8)
            .x_label_formatter(&xtick)
            .y_label_formatter(&ytick)
            .label_style(("sans-serif", TICKS))
            .axis_desc_style(("sans-serif", AXIS))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        for l in &self.lines {
            let c = color(l.color);
            chart
                .draw_series(LineSeries::new(
                    l.points.iter().map(|&(d, v)| (years(d), v)),
                    c.stroke_width(3),
                ))?
                .label(l.label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3))
                });
        }
        let corner = legend_corner(all(), (x0, x1), (y0, y1), self.lines.len());
        chart
            .configure_series_labels()
            .position(corner)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", LEGEND))
            .draw()?;
        Ok(())
    }
}

/// The corner of the plot where a legend of `entries` lines hides the
/// fewest of `points` (within the ranges `x` and `y`).
fn legend_corner(
    points: impl Iterator<Item = (f64, f64)>,
    x: (f64, f64),
    y: (f64, f64),
    entries: usize,
) -> SeriesLabelPosition {
    // The legend's share of the plot: a third of the width, a line of
    // about 5 % of the height per entry.
    let (w, h) = (0.4, (0.06 * entries as f64 + 0.04).min(0.9));
    let mut counts = [0usize; 4];
    for (px, py) in points {
        let u = (px - x.0) / (x.1 - x.0);
        let v = (py - y.0) / (y.1 - y.0);
        let (left, right, top, bottom) = (u <= w, u >= 1.0 - w, v >= 1.0 - h, v <= h);
        counts[0] += usize::from(left && top);
        counts[1] += usize::from(right && top);
        counts[2] += usize::from(left && bottom);
        counts[3] += usize::from(right && bottom);
    }
    let best = (0..4).min_by_key(|&i| counts[i]).unwrap_or(1);
    match best {
        0 => SeriesLabelPosition::UpperLeft,
        1 => SeriesLabelPosition::UpperRight,
        2 => SeriesLabelPosition::LowerLeft,
        _ => SeriesLabelPosition::LowerRight,
    }
}

/// Draws the title (and a note under it) and returns the area below.
pub(super) fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    note: Option<&str>,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let height = if note.is_some() { 84 } else { 54 };
    let (top, rest) = area.split_vertically(height);
    top.draw(&Text::new(
        title.to_string(),
        (24, 14),
        ("sans-serif", TITLE).into_font().color(&BLACK),
    ))?;
    if let Some(note) = note {
        top.draw(&Text::new(
            note.to_string(),
            (24, 54),
            ("sans-serif", LEGEND)
                .into_font()
                .color(&RGBColor(80, 80, 80)),
        ))?;
    }
    Ok(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_grouped() {
        assert_eq!(short_number(1_234_567.4, 1e6), "1,234,567");
        assert_eq!(short_number(-1234.56, 10.0), "-1,235");
        assert_eq!(short_number(-1234.56, 5.0), "-1,234.6");
        assert_eq!(short_number(0.9931, 0.02), "0.993");
        assert_eq!(short_number(-0.0001, 1.0), "0.0");
        assert_eq!(short_number(0.7, 0.4), "0.70");
    }

    #[test]
    fn calendar_years_round_trip() {
        // 2026-01-01 is day 20,454; 2027-01-01 is 365 days later.
        assert_eq!(years(20_454.0), 2026.0);
        assert_eq!(years(20_454.0 + 365.0), 2027.0);
        assert_eq!(years(20_454.0 + 182.5), 2026.5);
        for d in [0.0, 20_454.25, 23_000.7] {
            assert!((days_of_year(years(d)) - d).abs() < 1e-9, "{d}");
        }
        assert_eq!(date_of(days_of_year(2027.0), "%Y-%m-%d"), "2027-01-01");
    }

    #[test]
    fn months_of_day_counts() {
        assert_eq!(month_of(0.0), "1970-01");
        assert_eq!(month_of(20_454.0), "2026-01");
    }
}
