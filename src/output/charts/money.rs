//! The money charts, each drawn from [`RunData`]: the contracts' delivered
//! capacity-hours and the run's cash.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Chart;
use super::calendar::YearMonth;
use super::data::RunData;
use super::plots::{DrawResult, Panel, bars, build, label_width, mesh, month_axis, panel, up_to};
use super::style::*;
use crate::output::csv::{contracts_monthly, monthly, summary};

/// Capacity-hours committed and delivered per month, summed over the
/// contracts of one unit (chips, or MW for power contracts: the unit of the
/// first contract), and the months credited for missing the SLA.
pub struct ContractsChart<'d> {
    /// The run.
    pub data: &'d RunData,
}

impl Chart for ContractsChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let d = self.data;
        let table = d
            .contracts_monthly
            .as_ref()
            .expect("drawn with contracts_monthly.csv");
        let unit_of = table
            .get(0, contracts_monthly::UNIT)
            .unwrap_or("chips")
            .to_string();
        // Sums per month (the file is sorted by month).
        let mut months: Vec<YearMonth> = Vec::new();
        let mut committed: Vec<f64> = Vec::new();
        let mut delivered: Vec<f64> = Vec::new();
        let mut credited: Vec<f64> = Vec::new();
        for i in 0..table.rows.len() {
            if table.get(i, contracts_monthly::UNIT) != Some(unit_of.as_str()) {
                continue;
            }
            let Some(m) = table
                .get(i, contracts_monthly::MONTH)
                .and_then(YearMonth::parse)
            else {
                continue;
            };
            if months.last() != Some(&m) {
                months.push(m);
                committed.push(0.0);
                delivered.push(0.0);
                credited.push(0.0);
            }
            let k = months.len() - 1;
            committed[k] += table
                .number(i, contracts_monthly::COMMITTED_CAPACITY_HOURS)
                .unwrap_or(0.0);
            delivered[k] += table
                .number(i, contracts_monthly::DELIVERED_CAPACITY_HOURS)
                .unwrap_or(0.0);
            credited[k] += table
                .number(i, contracts_monthly::CREDIT_USD)
                .unwrap_or(0.0);
        }
        let what = if unit_of == "mw" {
            "MW-hours"
        } else {
            "chip-hours"
        };
        let total_credits: f64 = credited.iter().sum();
        let n_credited = credited.iter().filter(|c| **c > 0.0).count();
        let mut legend = vec![
            Entry::new(format!("committed {what}"), Swatch::Bar(GRID)),
            Entry::new(format!("delivered {what}"), Swatch::Bar(color(0))),
        ];
        if n_credited > 0 {
            legend.push(Entry::new(
                format!(
                    "SLA credit: {n_credited} month(s), {} in all",
                    crate::console::money(total_credits)
                ),
                Swatch::Bar(LIMIT),
            ));
        }
        let rest = header(area, "Contracts: capacity committed and delivered", &legend)?;
        let (x, ticks) = month_axis(&months);
        let top = committed
            .iter()
            .chain(&delivered)
            .fold(0.0f64, |m, v| m.max(*v));
        let unit = count_unit(top, what);
        let y = up_to(top / unit.divisor);
        let lift = y.hi() * 0.025;
        let p = Panel {
            caption: None,
            x,
            x_labels: Some(&ticks),
            x_desc: None,
            y,
            y_desc: format!("{} per month", unit.name),
            y_area: 0,
            right_area: 0,
        };
        let mut chart = panel(&rest, &p)?;
        bars(
            &mut chart,
            committed
                .iter()
                .enumerate()
                .map(|(i, v)| (i, 0.0, v / unit.divisor)),
            |_| GRID,
        )?;
        chart.draw_series(delivered.iter().enumerate().filter(|(_, v)| **v > 0.0).map(
            |(i, v)| {
                let x = i as f64;
                Rectangle::new(
                    [(x + 0.28, 0.0), (x + 0.72, v / unit.divisor)],
                    color(0).filled(),
                )
            },
        ))?;
        // A credited month: a red mark just over its committed bar.
        chart.draw_series(credited.iter().enumerate().filter(|(_, c)| **c > 0.0).map(
            |(i, _)| {
                let x = i as f64;
                let y = committed[i] / unit.divisor;
                Rectangle::new(
                    [(x + 0.12, y + lift * 0.5), (x + 0.88, y + lift * 1.5)],
                    LIMIT.filled(),
                )
            },
        ))?;
        Ok(())
    }
}

/// Cash flow per month (bars, left axis) and cumulative cash (line, right
/// axis), with zero at the same height on both axes.
pub struct CashChart<'d> {
    /// The run.
    pub data: &'d RunData,
}

impl Chart for CashChart<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let d = self.data;
        let table = d.monthly.as_ref().expect("drawn with monthly.csv");
        let months: Vec<YearMonth> = (0..table.rows.len())
            .map(|i| {
                table
                    .get(i, monthly::MONTH)
                    .and_then(YearMonth::parse)
                    .unwrap_or(d.calendar.first_month())
            })
            .collect();
        let flow: Vec<f64> = (0..months.len())
            .map(|i| table.number(i, monthly::CASH_FLOW_USD).unwrap_or(0.0))
            .collect();
        let cumulative: Vec<f64> = (0..months.len())
            .map(|i| table.number(i, monthly::CUMULATIVE_CASH_USD).unwrap_or(0.0))
            .collect();
        let payback = d
            .summary
            .get(0, summary::PAYBACK_MONTH)
            .filter(|s| !s.is_empty());

        let mut legend = vec![
            Entry::new("cash in, month", Swatch::Bar(GAIN)),
            Entry::new("cash out, month", Swatch::Bar(LOSS)),
            Entry::new("cumulative (right axis)", Swatch::Line(color(0), 4)),
        ];
        if let Some(p) = payback {
            legend.push(Entry::new(format!("pays back {p}"), Swatch::Dashed(INK)));
        }
        let rest = header(area, "Cash flow: per month and cumulative", &legend)?;
        let (x, ticks) = month_axis(&months);

        let flow_unit = money_unit(flow.iter().fold(0.0f64, |m, v| m.max(v.abs())));
        let cum_unit = money_unit(cumulative.iter().fold(0.0f64, |m, v| m.max(v.abs())));
        let range = |v: &[f64], divisor: f64| {
            let lo = v.iter().copied().fold(0.0, f64::min) / divisor;
            let hi = v.iter().copied().fold(0.0, f64::max) / divisor;
            Axis::linear(lo, hi, true)
        };
        let (left, right) = aligned_at_zero(
            range(&flow, flow_unit.divisor),
            range(&cumulative, cum_unit.divisor),
        );

        let p = Panel {
            caption: None,
            x: x.clone(),
            x_labels: Some(&ticks),
            x_desc: None,
            y: left,
            y_desc: format!("cash flow per month [{}]", flow_unit.name),
            y_area: 0,
            right_area: 0,
        };
        let p = Panel {
            right_area: label_width(&rest, &[&right])?,
            ..p
        };
        // The secondary axis takes the right label area: set it before the
        // primary mesh is drawn, or the primary labels both sides.
        let chart = build(&rest, &p)?;
        let mut chart = chart.set_secondary_coord(x.clone(), right.clone());
        mesh(&mut chart, &p)?;
        let right_label = |v: &f64| right.label(*v);
        chart
            .configure_secondary_axes()
            .y_label_formatter(&right_label)
            .y_desc(format!("cumulative cash [{}]", cum_unit.name))
            .label_style(text(TICK))
            .axis_desc_style(text(AXIS))
            .axis_style(INK.stroke_width(1))
            .y_labels(100)
            .draw()?;
        // Zero line.
        chart.draw_series(LineSeries::new(
            vec![(x.lo(), 0.0), (x.hi(), 0.0)],
            INK.stroke_width(1),
        ))?;
        chart.draw_series(
            flow.iter()
                .enumerate()
                .filter(|(_, v)| **v != 0.0)
                .map(|(i, v)| {
                    let x0 = i as f64;
                    let fill = if *v >= 0.0 { GAIN } else { LOSS };
                    Rectangle::new(
                        [(x0 + 0.12, 0.0), (x0 + 0.88, v / flow_unit.divisor)],
                        fill.filled(),
                    )
                }),
        )?;
        if let Some(i) = payback
            .and_then(YearMonth::parse)
            .and_then(|p| months.iter().position(|m| *m == p))
        {
            let at = i as f64 + 1.0;
            chart.draw_series(DashedLineSeries::new(
                vec![(at, p.y.lo()), (at, p.y.hi())],
                10,
                6,
                INK.stroke_width(2),
            ))?;
        }
        // Cumulative cash at the end of each month, from zero at the start.
        chart.draw_secondary_series(LineSeries::new(
            std::iter::once((0.0, 0.0))
                .chain(
                    cumulative
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (i as f64 + 1.0, v / cum_unit.divisor)),
                )
                .collect::<Vec<_>>(),
            color(0).stroke_width(4),
        ))?;
        Ok(())
    }
}

/// Two axes each containing zero, widened so that zero sits at the same
/// height on both (at most 90 % of the way up, so that an axis of only
/// negative values leaves room above zero for the other's positive ones).
fn aligned_at_zero(a: Axis, b: Axis) -> (Axis, Axis) {
    let below = |x: &Axis| {
        let span = x.hi() - x.lo();
        if span > 0.0 { -x.lo() / span } else { 0.0 }
    };
    let z = below(&a).max(below(&b)).clamp(0.0, 0.9);
    let widen = |x: Axis| {
        let own = below(&x);
        if (own - z).abs() < 1e-9 {
            x
        } else if own < z {
            // Extend downwards: zero z of the way up.
            Axis::within(-z * x.hi() / (1.0 - z), x.hi())
        } else {
            // Extend upwards.
            Axis::within(x.lo(), -x.lo() * (1.0 - z) / z)
        }
    };
    (widen(a), widen(b))
}
