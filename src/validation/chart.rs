//! The validation chart: one panel per model, each of its rows a dot at
//! simulated ÷ published on a logarithmic axis, over a bar spanning the
//! row's tolerance; a line at 1 (agreement). Drawn with the embedded font
//! like every other chart ([`crate::output::charts`]).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Check, Row};
use crate::output::charts::Chart;

/// The chart of a set of rows, one panel per model in the rows' order.
pub struct Panels<'a> {
    /// The rows.
    pub rows: &'a [Row],
}

/// Width and height to draw it at \[px\]: two panels a line, each line
/// tall enough for its models' rows.
pub fn size(rows: &[Row]) -> (u32, u32) {
    let models = models(rows);
    let lines = models.len().div_ceil(2);
    let mut h = 80;
    for pair in models.chunks(2) {
        let n = pair
            .iter()
            .map(|m| rows.iter().filter(|r| r.model == *m).count())
            .max()
            .unwrap_or(1);
        h += 90 + 26 * n as u32;
    }
    let _ = lines;
    (1600, h)
}

fn models(rows: &[Row]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for r in rows {
        if !out.contains(&r.model) {
            out.push(r.model);
        }
    }
    out
}

/// The ends of the axis: simulated ÷ published from 1/300 to 10.
const LO: f64 = 1.0 / 300.0;
const HI: f64 = 10.0;

fn clamp(x: f64) -> f64 {
    if x.is_finite() { x.clamp(LO, HI) } else { HI }
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n - 1).collect();
        format!("{t}…")
    }
}

impl Chart for Panels<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        area.fill(&WHITE)?;
        let (w, h) = area.dim_in_pixel();
        let (title, body) = area.split_vertically(60);
        title.draw(&Text::new(
            "How close to reality: simulated ÷ published per row (log scale); bar = tolerance; green within, red outside",
            (20, 20),
            ("sans-serif", 22).into_font(),
        ))?;
        let models = models(self.rows);
        let mut y = 0i32;
        let body_h = h as i32 - 60;
        for pair in models.chunks(2) {
            let n = pair
                .iter()
                .map(|m| self.rows.iter().filter(|r| r.model == *m).count())
                .max()
                .unwrap_or(1);
            let line_h = (90 + 26 * n) as i32;
            let line = body.margin(y, (body_h - y - line_h).max(0), 0, 0);
            let cols = line.split_evenly((1, 2));
            // Every panel of a line spaces its rows as the fullest one does.
            let slots = n;
            for (panel, model) in cols.iter().zip(pair) {
                let rows: Vec<(usize, &Row)> = self
                    .rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.model == *model)
                    .collect();
                let mut chart = ChartBuilder::on(panel)
                    .caption(*model, ("sans-serif", 20))
                    .margin(8)
                    .margin_right(24)
                    .x_label_area_size(30)
                    .y_label_area_size(330)
                    .build_cartesian_2d((LO..HI).log_scale(), -0.5f64..(slots as f64 - 0.5))?;
                let labels: Vec<String> = rows
                    .iter()
                    .map(|(i, r)| format!("{}. {}", i + 1, short(&r.quantity, 44)))
                    .collect();
                chart
                    .configure_mesh()
                    .disable_y_mesh()
                    .y_labels(slots.max(1))
                    .y_label_formatter(&|v| {
                        let i = v.round();
                        if (v - i).abs() < 1e-6 && i >= 0.0 {
                            labels
                                .get((slots - 1).wrapping_sub(i as usize))
                                .cloned()
                                .unwrap_or_default()
                        } else {
                            String::new()
                        }
                    })
                    .x_label_formatter(&|v| {
                        if *v >= 1.0 {
                            format!("{v:.0}")
                        } else {
                            format!("{v:.2}")
                        }
                    })
                    .label_style(("sans-serif", 13))
                    .draw()?;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(1.0, -0.5), (1.0, slots as f64 - 0.5)],
                    BLACK.stroke_width(1),
                )))?;
                for (j, (_, r)) in rows.iter().enumerate() {
                    let yv = (slots - 1 - j) as f64;
                    let t = r.check.tolerance();
                    let (a, b) = match r.check {
                        Check::Near(_) => (1.0 - t, 1.0 + t),
                        Check::AtLeast(_) => (1.0 - t, HI),
                    };
                    let band = RGBColor(200, 200, 200);
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(clamp(a.max(LO)), yv - 0.28), (clamp(b), yv + 0.28)],
                        band.filled(),
                    )))?;
                    let ratio = r.simulated / r.published;
                    let color = if r.within() {
                        RGBColor(0, 140, 60)
                    } else {
                        RGBColor(210, 30, 30)
                    };
                    chart.draw_series(std::iter::once(Circle::new(
                        (clamp(ratio), yv),
                        6,
                        color.filled(),
                    )))?;
                }
            }
            y += line_h;
        }
        let _ = w;
        Ok(())
    }
}
