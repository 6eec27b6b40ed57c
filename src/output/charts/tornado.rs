//! The tornado chart of a sensitivity: one horizontal bar per input, from
//! the figure at the input's low value to the figure at its high value,
//! around a vertical line at the base run's figure; the input with the
//! largest swing on top. Drawn in the comparison charts' style (slide size,
//! the embedded font, the same palette).

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::Chart;
use super::comparison::{color, label_area_width, padded, segment_label, short_number, titled};

/// A 95 % interval, low and high, in the unit of the value axis.
pub type Interval = (f64, f64);

/// One input's bar, in the unit of the value axis.
#[derive(Clone, Debug, PartialEq)]
pub struct TornadoBar {
    /// The input, left of its bar (its path).
    pub label: String,
    /// The figure with the input at its low value.
    pub low: f64,
    /// The figure with the input at its high value.
    pub high: f64,
    /// The low and high values as given, written at the bar's ends.
    pub values: (String, String),
    /// 95 % intervals of the low and high figures, when replicated.
    pub intervals: (Option<Interval>, Option<Interval>),
}

/// A tornado: the bars top to bottom (largest swing first) around `base`.
#[derive(Clone, Debug, PartialEq)]
pub struct Tornado {
    /// The title.
    pub title: String,
    /// The value axis' name with its unit.
    pub value_label: String,
    /// The base run's figure.
    pub base: f64,
    /// The bars.
    pub bars: Vec<TornadoBar>,
}

/// Colors of the low-value and high-value halves.
const LOW: usize = 0;
const HIGH: usize = 1;

impl Chart for Tornado {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        area.fill(&WHITE)?;
        let note =
            "blue: the input at its low value; orange: at its high value; line: the base run";
        let area = titled(area, &self.title, Some(note))?;
        let n = self.bars.len().max(1);
        let (lo, hi) = padded(
            self.bars
                .iter()
                .flat_map(|b| {
                    let ends = [b.intervals.0, b.intervals.1]
                        .into_iter()
                        .flatten()
                        .flat_map(|(a, c)| [a, c]);
                    [b.low, b.high].into_iter().chain(ends)
                })
                .chain([self.base]),
            false,
        );
        // Room at both ends for the values written beside the bars.
        let room = (hi - lo) * 0.08;
        let (lo, hi) = (lo - room, hi + room);
        let labels: Vec<&str> = self.bars.iter().map(|b| b.label.as_str()).collect();
        let label_width = label_area_width(&labels);
        let mut chart = ChartBuilder::on(&area)
            .margin(20)
            .margin_right(60)
            .x_label_area_size(70)
            .y_label_area_size(label_width)
            .build_cartesian_2d(lo..hi, (0..n as i32 - 1).into_segmented())?;
        let span = hi - lo;
        let label_of = |v: &SegmentValue<i32>| segment_label(&labels, v);
        let tick = |x: &f64| short_number(*x, span);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&label_of)
            .x_label_formatter(&tick)
            .x_desc(self.value_label.as_str())
            .label_style(("sans-serif", 18))
            .axis_desc_style(("sans-serif", 22))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        let pad = (160 / n as u32).clamp(4, 20);
        for (k, bar) in self.bars.iter().enumerate() {
            let i = n as i32 - 1 - k as i32;
            let y = SegmentValue::CenterOf(i);
            for (end, which, interval, value) in [
                (bar.low, LOW, bar.intervals.0, &bar.values.0),
                (bar.high, HIGH, bar.intervals.1, &bar.values.1),
            ] {
                let mut rect = Rectangle::new(
                    [
                        (self.base, SegmentValue::Exact(i)),
                        (end, SegmentValue::Exact(i + 1)),
                    ],
                    color(which).mix(0.7).filled(),
                );
                rect.set_margin(pad, pad, 0, 0);
                chart.draw_series(std::iter::once(rect))?;
                if let Some((l, h)) = interval {
                    let style = BLACK.stroke_width(2);
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(l, y.clone()), (h, y.clone())],
                        style,
                    )))?;
                }
                // The input's value at the bar's end, outside it.
                let offset = if end >= self.base {
                    8
                } else {
                    -8 - 9 * value.chars().count() as i32
                };
                chart.draw_series(std::iter::once(
                    EmptyElement::at((end, y.clone()))
                        + Text::new(
                            value.clone(),
                            (offset, -9),
                            ("sans-serif", 18).into_font().color(&BLACK),
                        ),
                ))?;
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![
                (self.base, SegmentValue::Exact(0)),
                (self.base, SegmentValue::Last),
            ],
            BLACK.stroke_width(2),
        )))?;
        Ok(())
    }
}
