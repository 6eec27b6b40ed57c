//! The per-run charts, each drawn from [`RunData`] (the run's own files,
//! read back): power, chips, failures, energy, inference, training, cash,
//! contracts.
//!
//! Every chart is a 1280 × 720 slide: a title, a legend row under it, then
//! one or more panels whose time axes carry calendar dates. Long series
//! arrive reduced to their extremes per pixel column ([`super::reduce`]).

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Chart;
use super::calendar::{Tick, YearMonth, label_at, month_ticks};
use super::data::{MAX_SITE_PANELS, RunData, ServiceSeries};
use super::reduce::MinMaxSeries;
use super::style::{
    AXIS, Axis, CAPTION, Entry, GRID, INK, LIMIT, Line, Stroke, Swatch, TICK, color, count_unit,
    grouped, header, money_unit, power_of_ten, text,
};
use crate::catalog::failures::FailureKind;

pub(super) type DrawResult<T, DB> =
    Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
pub(super) type Ctx<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// A latency target of an inference service, for the inference chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceTarget {
    /// Service name, as in `services.csv`.
    pub name: String,
    /// Time-to-first-token target \[s\].
    pub ttft_s: f64,
    /// Time-per-output-token target \[s\].
    pub tpot_s: f64,
    /// Percentile the targets apply at (0–100).
    pub percentile: f64,
}

/// One panel's axes and words.
pub(super) struct Panel<'t> {
    pub(super) caption: Option<String>,
    pub(super) x: Axis,
    /// Tick labels of the x axis; none: the axis is unlabelled (a panel
    /// above another that shares its time axis).
    pub(super) x_labels: Option<&'t [Tick]>,
    pub(super) x_desc: Option<String>,
    pub(super) y: Axis,
    pub(super) y_desc: String,
    /// Width of the y label area [px]; 0: as wide as this axis needs.
    pub(super) y_area: u32,
    /// Width of a right-hand label area for a secondary axis [px]; 0: none.
    pub(super) right_area: u32,
}

/// Builds a panel's chart and draws its mesh, axes and labels.
pub(super) fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    p: &Panel<'_>,
) -> DrawResult<Ctx<'a, DB>, DB> {
    let mut chart = build(area, p)?;
    mesh(&mut chart, p)?;
    Ok(chart)
}

/// Builds a panel's chart (its label areas sized), without drawing.
pub(super) fn build<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    p: &Panel<'_>,
) -> DrawResult<Ctx<'a, DB>, DB> {
    let y_area = if p.y_area > 0 {
        p.y_area
    } else {
        label_width(area, &[&p.y])?
    };
    let x_area = match (p.x_labels.is_some(), p.x_desc.is_some()) {
        (false, _) => 0,
        (true, false) => TICK + 16,
        (true, true) => TICK + AXIS + 24,
    };
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_left(8)
        .margin_right(36)
        .margin_top(12)
        .margin_bottom(10)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .right_y_label_area_size(p.right_area);
    if let Some(c) = &p.caption {
        builder.caption(c, text(CAPTION));
    }
    builder.build_cartesian_2d(p.x.clone(), p.y.clone())
}

/// Draws a panel's grid, axes, tick labels and axis descriptions.
pub(super) fn mesh<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    p: &Panel<'_>,
) -> DrawResult<(), DB> {
    let x_label = |v: &f64| p.x_labels.map(|t| label_at(t, *v)).unwrap_or_default();
    let y_label = |v: &f64| p.y.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .y_desc(p.y_desc.as_str())
        .label_style(text(TICK))
        .axis_desc_style(text(AXIS))
        .bold_line_style(GRID.stroke_width(1))
        .axis_style(INK.stroke_width(1))
        .x_labels(100)
        .y_labels(100);
    if let Some(d) = &p.x_desc {
        mesh.x_desc(d.as_str());
    }
    mesh.draw()
}

/// Width of a y label area that holds the tick labels of every axis of
/// `axes` and the rotated axis description [px]: panels stacked on one
/// time axis share it, so that their plots line up.
pub(super) fn label_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axes: &[&Axis],
) -> DrawResult<u32, DB> {
    let style = text(TICK);
    let mut widest = 0;
    for a in axes {
        for t in a.key_points_bold() {
            widest = widest.max(area.estimate_text_size(&a.label(t), &style)?.0);
        }
    }
    Ok(widest + AXIS + 28)
}

/// Draws reduced series on a panel, in pixels, clipped to its plotting
/// area.
///
/// A series with points closer than two pixels is drawn as the band
/// between its smallest and largest value in each pixel column, widened by
/// the stroke: the min/max reduction drawn exactly, with no spike lost and
/// none invented. (A thick polyline through such points turns back on
/// itself within a pixel, and plotters' joins and polygon fill then throw
/// spikes off the data.) Sparser series are drawn as lines.
pub(super) fn draw_lines<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    lines: &[Line<'_>],
) -> DrawResult<(), DB> {
    let plot = chart.plotting_area();
    let (x0, y0) = plot.get_base_pixel();
    let (xs, ys) = plot.get_pixel_range();
    let (width, height) = (xs.end - xs.start, ys.end - ys.start);
    let area = plot.strip_coord_spec();
    for l in lines {
        let pixels: Vec<(i32, i32)> = l
            .points()
            .iter()
            .map(|p| {
                let (x, y) = chart.backend_coord(p);
                ((x - x0).clamp(0, width), (y - y0).clamp(-1, height + 1))
            })
            .collect();
        if pixels.is_empty() {
            continue;
        }
        match l.stroke {
            Stroke::Dashed => {
                area.draw(&DashedPathElement::new(
                    pixels,
                    12,
                    8,
                    l.color.stroke_width(3),
                ))?;
            }
            Stroke::Solid(w) => {
                let w = w as i32;
                // Per pixel column: the highest and lowest pixel reached.
                let mut columns: Vec<(i32, i32, i32)> = Vec::new();
                for (x, y) in &pixels {
                    match columns.last_mut() {
                        Some(c) if c.0 == *x => {
                            c.1 = c.1.min(*y);
                            c.2 = c.2.max(*y);
                        }
                        _ => columns.push((*x, *y, *y)),
                    }
                }
                // Lines only where points are at least two pixels apart
                // on average and never share a pixel column.
                let sparse =
                    pixels.len() == columns.len() && pixels.len() * 2 <= width.max(1) as usize;
                if !sparse {
                    // One vertical stroke per pixel column over its range,
                    // widened to the line's width, joined in a zigzag: a
                    // 1-pixel path (drawn exactly by any rasterizer) that
                    // fills the band.
                    let (above, below) = ((w - 1) / 2, w / 2);
                    let mut zigzag = Vec::with_capacity(columns.len() * 2);
                    for (i, (x, top, bottom)) in columns.iter().enumerate() {
                        let (a, b) = (top - above, bottom + below);
                        if i % 2 == 0 {
                            zigzag.extend([(*x, a), (*x, b)]);
                        } else {
                            zigzag.extend([(*x, b), (*x, a)]);
                        }
                    }
                    area.draw(&PathElement::new(zigzag, l.color.stroke_width(1)))?;
                } else {
                    area.draw(&PathElement::new(pixels, l.color.stroke_width(w as u32)))?;
                }
            }
        }
    }
    Ok(())
}

/// A time axis over the run.
pub(super) fn time_axis(data: &RunData) -> (Axis, Vec<Tick>) {
    let ticks = data.calendar.time_ticks();
    let axis = Axis::with_ticks(
        0.0,
        data.calendar.hours(),
        ticks.iter().map(|t| t.at).collect(),
    );
    (axis, ticks)
}

/// An axis of months: month `i` spans `[i, i + 1]`.
pub(super) fn month_axis(months: &[YearMonth]) -> (Axis, Vec<Tick>) {
    let ticks = month_ticks(months);
    let axis = Axis::with_ticks(
        0.0,
        months.len().max(1) as f64,
        ticks.iter().map(|t| t.at).collect(),
    );
    (axis, ticks)
}

/// The largest value of several series (0 if all are empty).
pub(super) fn largest(series: &[&MinMaxSeries]) -> f64 {
    series.iter().map(|s| s.max_or_zero()).fold(0.0, f64::max)
}

/// A linear axis from zero to a little above `top`, so that a line at the
/// top (a grid connection) stays clear of the frame.
pub(super) fn up_to(top: f64) -> Axis {
    Axis::linear(0.0, top * 1.04, true)
}

/// Splits `area` into `n` panels: stacked for up to three, else two
/// columns.
pub(super) fn grid_of<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    n: usize,
) -> Vec<DrawingArea<DB, Shift>> {
    match n {
        0 | 1 => vec![area.clone()],
        2 | 3 => area.split_evenly((n, 1)),
        _ => area.split_evenly((n.div_ceil(2), 2)),
    }
}

/// Monthly bars: `values[i]` over month `i`, from `base[i]` when stacked.
pub(super) fn bars<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    values: impl Iterator<Item = (usize, f64, f64)>,
    fill: impl Fn(f64) -> RGBColor,
) -> DrawResult<(), DB> {
    chart.draw_series(values.filter(|(_, lo, hi)| hi != lo).map(|(i, lo, hi)| {
        let x = i as f64;
        Rectangle::new([(x + 0.12, lo), (x + 0.88, hi)], fill(hi - lo).filled())
    }))?;
    Ok(())
}

/// Facility and IT power against the grid connection, per site.
pub struct PowerChart<'d> {
    /// The run.
    pub data: &'d RunData,
}

impl Chart for PowerChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let d = self.data;
        let legend = [
            Entry::new("facility power", Swatch::Line(color(0), 3)),
            Entry::new("IT power", Swatch::Line(color(1), 3)),
            Entry::new("grid connection", Swatch::Dashed(LIMIT)),
        ];
        let rest = header(area, "Power against the grid connection", &legend)?;
        let (x, ticks) = time_axis(d);
        // One panel per site, or the fleet's sum when there are many.
        let panels: Vec<(String, [&MinMaxSeries; 3])> = if d.site_count <= MAX_SITE_PANELS {
            d.sites
                .iter()
                .map(|s| (s.name.clone(), [&s.facility_mw, &s.it_mw, &s.grid_mw]))
                .collect()
        } else {
            vec![(
                format!("all {} sites (sum)", d.site_count),
                [&d.fleet.facility_mw, &d.fleet.it_mw, &d.fleet.grid_mw],
            )]
        };
        let areas = grid_of(&rest, panels.len());
        let columns = if panels.len() > 3 { 2 } else { 1 };
        let rows = areas.len().div_ceil(columns);
        let axes: Vec<Axis> = panels
            .iter()
            .map(|(_, series)| up_to(largest(series)))
            .collect();
        let y_area = label_width(&rest, &axes.iter().collect::<Vec<_>>())?;
        for (i, ((name, [facility, it, grid]), a)) in panels.iter().zip(&areas).enumerate() {
            let bottom = i / columns == rows - 1 || i + columns >= panels.len();
            let p = Panel {
                caption: (panels.len() > 1).then(|| name.clone()),
                x: x.clone(),
                x_labels: bottom.then_some(ticks.as_slice()),
                x_desc: None,
                y: axes[i].clone(),
                y_desc: "power [MW]".into(),
                y_area,
                right_area: 0,
            };
            let mut chart = panel(a, &p)?;
            draw_lines(
                &mut chart,
                &[
                    Line::dashed(grid, LIMIT, 1.0),
                    Line::solid(it, color(1), 1.0),
                    Line::solid(facility, color(0), 1.0),
                ],
            )?;
        }
        Ok(())
    }
}

/// Chips online, healthy, held by training and inference, and down.
pub struct ChipsChart<'d> {
    /// The run.
    pub data: &'d RunData,
}

impl Chart for ChipsChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let d = self.data;
        let f = &d.fleet;
        let training = d.training.as_ref().map(|t| &t.chips);
        let inference = d.services.as_ref().map(|s| &s.chips);
        let mut legend = vec![
            Entry::new("online", Swatch::Dashed(INK)),
            Entry::new("healthy", Swatch::Line(color(2), 3)),
        ];
        if training.is_some() {
            legend.push(Entry::new("held by training", Swatch::Line(color(0), 3)));
        }
        if inference.is_some() {
            legend.push(Entry::new("held by inference", Swatch::Line(color(1), 3)));
        }
        legend.push(Entry::new("failed or in repair", Swatch::Line(color(3), 3)));
        let title = if d.site_count > 1 {
            format!("Chips, all {} sites", d.site_count)
        } else {
            "Chips".to_string()
        };
        let rest = header(area, &title, &legend)?;
        let (x, ticks) = time_axis(d);
        let (top, bottom) = rest.split_vertically((rest.dim_in_pixel().1 as f64 * 0.64) as u32);
        // A gap of a tick label's height between the panels, so the lower
        // panel's top tick stays clear of the upper panel's zero.
        let bottom = bottom.margin(TICK, 0, 0, 0);

        let unit = count_unit(f.chips_online.max_or_zero(), "chips");
        let upper = up_to(f.chips_online.max_or_zero() / unit.divisor);
        // Chips down: tens on an ordinary day, a whole site in an outage;
        // a log scale shows both (zero sits on the axis).
        let lower = Axis::log(1.0, f.chips_down.max_or_zero().max(10.0));
        let y_area = label_width(&rest, &[&upper, &lower])?;
        let p = Panel {
            caption: None,
            x: x.clone(),
            x_labels: None,
            x_desc: None,
            y: upper,
            y_desc: unit.name.clone(),
            y_area,
            right_area: 0,
        };
        let mut chart = panel(&top, &p)?;
        let mut lines = vec![Line::solid(&f.chips_healthy, color(2), unit.divisor)];
        if let Some(t) = training {
            lines.push(Line::solid(t, color(0), unit.divisor));
        }
        if let Some(s) = inference {
            lines.push(Line::solid(s, color(1), unit.divisor));
        }
        lines.push(Line::dashed(&f.chips_online, INK, unit.divisor));
        draw_lines(&mut chart, &lines)?;

        let p = Panel {
            caption: None,
            x,
            x_labels: Some(&ticks),
            x_desc: None,
            y: lower,
            y_desc: "chips down (log)".into(),
            y_area,
            right_area: 0,
        };
        let mut chart = panel(&bottom, &p)?;
        draw_lines(&mut chart, &[Line::solid(&f.chips_down, color(3), 1.0)])?;
        Ok(())
    }
}

/// How a failure class is named on a chart.
pub(super) fn class_label(k: FailureKind) -> &'static str {
    match k.key() {
        "gpu" => "GPU",
        "hbm" => "HBM",
        "gpu_other" => "GPU, other",
        "host" => "host",
        "nic" => "NIC",
        "switch_cable" => "switch or cable",
        "rack_power" => "rack power",
        "site_outage" => "site outage",
        "dci_link" => "inter-site link",
        other => other,
    }
}

/// Failures per calendar month, stacked by class.
pub struct FailuresChart<'d> {
    /// The run.
    pub data: &'d RunData,
}

impl Chart for FailuresChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let m = &self.data.months;
        let classes: Vec<FailureKind> = FailureKind::ALL
            .into_iter()
            .filter(|k| m.failures.iter().any(|f| f[k.index()] > 0))
            .collect();
        let legend: Vec<Entry> = classes
            .iter()
            .map(|k| Entry::new(class_label(*k), Swatch::Bar(color(k.index()))))
            .collect();
        let rest = header(area, "Failures per month, by class", &legend)?;
        let (x, ticks) = month_axis(&m.months);
        let top = m
            .failures
            .iter()
            .map(|f| f.iter().sum::<u64>() as f64)
            .fold(0.0, f64::max);
        let p = Panel {
            caption: None,
            x,
            x_labels: Some(&ticks),
            x_desc: None,
            y: Axis::linear(0.0, top, true),
            y_desc: "failures per month".into(),
            y_area: 0,
            right_area: 0,
        };
        let mut chart = panel(&rest, &p)?;
        let mut base = vec![0.0; m.months.len()];
        for k in &classes {
            let stacked: Vec<(usize, f64, f64)> = m
                .failures
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let lo = base[i];
                    base[i] += f[k.index()] as f64;
                    (i, lo, base[i])
                })
                .collect();
            bars(&mut chart, stacked.into_iter(), |_| color(k.index()))?;
        }
        Ok(())
    }
}

/// Energy cost and carbon per calendar month.
pub struct EnergyChart<'d> {
    /// The run.
    pub data: &'d RunData,
}

impl Chart for EnergyChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let m = &self.data.months;
        let cost_color = color(0);
        let carbon_color = RGBColor(90, 90, 90);
        let legend = [
            Entry::new("energy cost", Swatch::Bar(cost_color)),
            Entry::new("carbon emitted", Swatch::Bar(carbon_color)),
        ];
        let rest = header(area, "Energy cost and carbon per month", &legend)?;
        let (x, ticks) = month_axis(&m.months);
        let (top, bottom) = rest.split_vertically(rest.dim_in_pixel().1 / 2);

        let max_cost = m.energy_cost_usd.iter().copied().fold(0.0, f64::max);
        let unit = money_unit(max_cost);
        let max_carbon = m.carbon_tco2e.iter().copied().fold(0.0, f64::max);
        let (divisor, name) = if max_carbon >= 2e3 {
            (1e3, "kt CO₂e")
        } else {
            (1.0, "t CO₂e")
        };
        let cost_axis = Axis::linear(0.0, max_cost / unit.divisor, true);
        let carbon_axis = Axis::linear(0.0, max_carbon / divisor, true);
        let y_area = label_width(&rest, &[&cost_axis, &carbon_axis])?;
        let p = Panel {
            caption: None,
            x: x.clone(),
            x_labels: None,
            x_desc: None,
            y: cost_axis,
            y_desc: format!("cost [{} / month]", unit.name),
            y_area,
            right_area: 0,
        };
        let mut chart = panel(&top, &p)?;
        bars(
            &mut chart,
            m.energy_cost_usd
                .iter()
                .enumerate()
                .map(|(i, v)| (i, 0.0, v / unit.divisor)),
            |_| cost_color,
        )?;

        let p = Panel {
            caption: None,
            x,
            x_labels: Some(&ticks),
            x_desc: None,
            y: carbon_axis,
            y_desc: format!("carbon [{name} / month]"),
            y_area,
            right_area: 0,
        };
        let mut chart = panel(&bottom, &p)?;
        bars(
            &mut chart,
            m.carbon_tco2e
                .iter()
                .enumerate()
                .map(|(i, v)| (i, 0.0, v / divisor)),
            |_| carbon_color,
        )?;
        Ok(())
    }
}

/// Seconds as `2 s` or `80 ms`.
pub(super) fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{} s", trim(s))
    } else {
        format!("{} ms", trim(s * 1e3))
    }
}

/// A number without trailing zeros (up to 3 decimals).
pub(super) fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Demand against served per service, and p99 latencies against their
/// targets.
pub struct InferenceChart<'d> {
    /// The run.
    pub data: &'d RunData,
    /// The services' targets (from the scenario).
    pub targets: &'d [ServiceTarget],
}

impl InferenceChart<'_> {
    fn target(&self, s: &ServiceSeries) -> Option<&ServiceTarget> {
        self.targets.iter().find(|t| t.name == s.name)
    }

    /// A panel of one latency, as a multiple of its target (log scale).
    fn latency<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        caption: &str,
        series: impl Fn(&ServiceSeries) -> &MinMaxSeries,
        target: impl Fn(&ServiceTarget) -> f64,
        x: &Axis,
        ticks: &[Tick],
    ) -> DrawResult<(), DB> {
        let list = &self
            .data
            .services
            .as_ref()
            .expect("drawn with services")
            .list;
        let mut lo: f64 = 0.5;
        let mut hi: f64 = 2.0;
        for s in list {
            if let (Some(t), Some((a, b))) = (self.target(s), series(s).y_range()) {
                let t = target(t);
                if t > 0.0 {
                    lo = lo.min(a / t);
                    hi = hi.max(b / t);
                }
            }
        }
        let p = Panel {
            caption: Some(caption.to_string()),
            x: x.clone(),
            x_labels: Some(ticks),
            x_desc: None,
            y: Axis::log(lo.max(1e-4), hi),
            y_desc: "p99 ÷ target".into(),
            y_area: 0,
            right_area: 0,
        };
        let mut chart = panel(area, &p)?;
        for (i, s) in list.iter().enumerate() {
            if let Some(t) = self.target(s) {
                let t = target(t);
                if t > 0.0 {
                    draw_lines(&mut chart, &[Line::solid(series(s), color(i), t)])?;
                }
            }
        }
        // The target on top, so a service that crosses it does not hide it.
        chart.draw_series(DashedLineSeries::new(
            vec![(x.lo(), 1.0), (x.hi(), 1.0)],
            12,
            8,
            LIMIT.stroke_width(3),
        ))?;
        Ok(())
    }
}

impl Chart for InferenceChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let services = self.data.services.as_ref().expect("drawn with services");
        let mut legend: Vec<Entry> = services
            .list
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let label = match self.target(s) {
                    Some(t) => format!(
                        "{} (p{} TTFT {}, TPOT {})",
                        s.name,
                        trim(t.percentile),
                        seconds(t.ttft_s),
                        seconds(t.tpot_s)
                    ),
                    None => s.name.clone(),
                };
                Entry::new(label, Swatch::Line(color(i), 3))
            })
            .collect();
        legend.push(Entry::new("demand", Swatch::Dashed(INK)));
        legend.push(Entry::new("served", Swatch::Line(INK, 3)));
        legend.push(Entry::new("target", Swatch::Dashed(LIMIT)));
        let title = if services.count > services.list.len() {
            format!(
                "Inference: demand, served and latency (first {} of {} services)",
                services.list.len(),
                services.count
            )
        } else {
            "Inference: demand, served and p99 latency".to_string()
        };
        let rest = header(area, &title, &legend)?;
        let (x, ticks) = time_axis(self.data);
        let (top, bottom) = rest.split_vertically(rest.dim_in_pixel().1 / 2);

        // Requests/s: a log scale when the services differ a lot in size.
        let mut lo = f64::INFINITY;
        let mut hi: f64 = 0.0;
        for s in &services.list {
            for r in [s.demand_rps.y_range(), s.served_rps.y_range()]
                .into_iter()
                .flatten()
            {
                hi = hi.max(r.1);
            }
            let peak = s.demand_rps.max_or_zero().max(s.served_rps.max_or_zero());
            if peak > 0.0 {
                lo = lo.min(peak);
            }
        }
        let log = hi > 0.0 && lo.is_finite() && hi / lo > 30.0;
        let y = if log {
            Axis::log(lo / 100.0, hi)
        } else {
            Axis::linear(0.0, hi, true)
        };
        let p = Panel {
            caption: None,
            x: x.clone(),
            x_labels: Some(&ticks),
            x_desc: None,
            y,
            y_desc: if log {
                "requests/s (log)".into()
            } else {
                "requests/s".into()
            },
            y_area: 0,
            right_area: 0,
        };
        let mut chart = panel(&top, &p)?;
        for (i, s) in services.list.iter().enumerate() {
            draw_lines(
                &mut chart,
                &[
                    Line::dashed(&s.demand_rps, color(i), 1.0),
                    Line::solid(&s.served_rps, color(i), 1.0),
                ],
            )?;
        }

        let halves = bottom.split_evenly((1, 2));
        self.latency(
            &halves[0],
            "time to first token",
            |s| &s.ttft_p99_s,
            |t| t.ttft_s,
            &x,
            &ticks,
        )?;
        self.latency(
            &halves[1],
            "time per output token",
            |s| &s.tpot_p99_s,
            |t| t.tpot_s,
            &x,
            &ticks,
        )?;
        Ok(())
    }
}

/// Training: work done, jobs running and waiting, the jobs' ETTR.
pub struct TrainingChart<'d> {
    /// The run.
    pub data: &'d RunData,
}

impl Chart for TrainingChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let t = self.data.training.as_ref().expect("drawn with training");
        let legend = [
            Entry::new("work kept", Swatch::Line(color(0), 3)),
            Entry::new("work lost", Swatch::Dashed(color(3))),
            Entry::new("jobs running", Swatch::Line(color(2), 3)),
            Entry::new("waiting for repair", Swatch::Line(color(1), 3)),
            Entry::new("queued", Swatch::Line(color(4), 3)),
            Entry::new("jobs by ETTR", Swatch::Bar(color(9))),
        ];
        let rest = header(area, "Training: work done, jobs and ETTR", &legend)?;
        let (x, ticks) = time_axis(self.data);
        let (left, right) = rest.split_horizontally((rest.dim_in_pixel().0 as f64 * 0.62) as u32);
        let (upper, lower) = left.split_vertically(left.dim_in_pixel().1 / 2);

        let work = largest(&[&t.work_kept_flop, &t.work_lost_flop]);
        let (divisor, power) = power_of_ten(work);
        let work_axis = up_to(work / divisor);
        let jobs_axis = up_to(largest(&[&t.running, &t.waiting, &t.queued]));
        let y_area = label_width(&left, &[&work_axis, &jobs_axis])?;
        let p = Panel {
            caption: None,
            x: x.clone(),
            x_labels: None,
            x_desc: None,
            y: work_axis,
            y_desc: if power.is_empty() {
                "work [FLOP]".into()
            } else {
                format!("work [{power} FLOP]")
            },
            y_area,
            right_area: 0,
        };
        let mut chart = panel(&upper, &p)?;
        draw_lines(
            &mut chart,
            &[
                Line::dashed(&t.work_lost_flop, color(3), divisor),
                Line::solid(&t.work_kept_flop, color(0), divisor),
            ],
        )?;

        let p = Panel {
            caption: None,
            x,
            x_labels: Some(&ticks),
            x_desc: None,
            y: jobs_axis,
            y_desc: "jobs".into(),
            y_area,
            right_area: 0,
        };
        let mut chart = panel(&lower, &p)?;
        draw_lines(
            &mut chart,
            &[
                Line::solid(&t.queued, color(4), 1.0),
                Line::solid(&t.waiting, color(1), 1.0),
                Line::solid(&t.running, color(2), 1.0),
            ],
        )?;

        // The ETTR of the jobs that started.
        let hist = t.ettr.clone().unwrap_or_default();
        let bins = hist.counts.len().max(1);
        let most = hist.counts.iter().copied().max().unwrap_or(0) as f64;
        let ettr_ticks: Vec<Tick> = (0..=5)
            .map(|i| Tick {
                at: i as f64 / 5.0,
                label: grouped(i as f64 / 5.0, 1),
            })
            .collect();
        let p = Panel {
            caption: Some(format!("ETTR of {} jobs", grouped(hist.started as f64, 0))),
            x: Axis::linear(0.0, 1.0, true),
            x_labels: Some(&ettr_ticks),
            x_desc: Some("ETTR (productive ÷ wall time)".into()),
            y: Axis::linear(0.0, most, true),
            y_desc: "jobs".into(),
            y_area: 0,
            right_area: 0,
        };
        let mut chart = panel(&right, &p)?;
        chart.draw_series(hist.counts.iter().enumerate().filter(|(_, c)| **c > 0).map(
            |(i, c)| {
                let x0 = i as f64 / bins as f64;
                let x1 = (i + 1) as f64 / bins as f64;
                Rectangle::new([(x0, 0.0), (x1, *c as f64)], color(9).filled())
            },
        ))?;
        if hist.started > 0 {
            let top = p.y.hi();
            chart.draw_series(DashedLineSeries::new(
                vec![(hist.mean, 0.0), (hist.mean, top)],
                10,
                6,
                INK.stroke_width(2),
            ))?;
            let label = format!("mean {:.2}", hist.mean);
            let at = if hist.mean > 0.55 {
                (hist.mean - 0.02, top * 0.95)
            } else {
                (hist.mean + 0.02, top * 0.95)
            };
            let pos = if hist.mean > 0.55 {
                HPos::Right
            } else {
                HPos::Left
            };
            chart.draw_series(std::iter::once(Text::new(
                label,
                at,
                text(TICK).pos(Pos::new(pos, VPos::Top)),
            )))?;
        }
        Ok(())
    }
}
