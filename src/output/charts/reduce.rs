//! Reducing a long series for drawing: the smallest and largest value in
//! each pixel column, so that no spike is hidden.
//!
//! A seven-year hourly series has 61,368 points per line, about fifty per
//! pixel column of a slide-sized chart. Drawing every point costs time and
//! file size (an SVG path of 61,368 vertices); dropping points hides the
//! one-hour outage or the failure spike a planner looks for. A
//! [`MinMaxSeries`] keeps, for each of a fixed number of columns of the time
//! axis, the smallest and the largest value and when they occurred, and
//! draws a line through both: every column spans exactly the range the data
//! spans there. The CSV files keep every row; only the drawing is reduced.
//!
//! Memory is O(columns), whatever the length of the series: the reader
//! pushes rows as it streams a file.

/// The extremes of the points that fell in one column: `(x, y)` of the
/// smallest and of the largest `y` (the first of equal values).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColumnExtremes {
    /// Where and what the smallest value is.
    pub min: (f64, f64),
    /// Where and what the largest value is.
    pub max: (f64, f64),
}

/// A series reduced to the extremes of each of `columns` equal slices of
/// `[x_start, x_end]`.
#[derive(Clone, Debug)]
pub struct MinMaxSeries {
    x_start: f64,
    /// Columns per unit of x.
    scale: f64,
    columns: Vec<Option<ColumnExtremes>>,
}

impl MinMaxSeries {
    /// An empty series over `[x_start, x_end]` in `columns` columns (at
    /// least one). Give at least as many columns as the chart has pixel
    /// columns, so each pixel column sees its own extremes.
    pub fn new(x_start: f64, x_end: f64, columns: usize) -> MinMaxSeries {
        let columns = columns.max(1);
        let width = x_end - x_start;
        let scale = if width > 0.0 && width.is_finite() {
            columns as f64 / width
        } else {
            0.0
        };
        MinMaxSeries {
            x_start,
            scale,
            columns: vec![None; columns],
        }
    }

    /// The column `x` falls in (x outside the range goes to the first or
    /// last column).
    pub fn column_of(&self, x: f64) -> usize {
        let i = ((x - self.x_start) * self.scale).floor();
        if i.is_nan() || i < 0.0 {
            0
        } else {
            (i as usize).min(self.columns.len() - 1)
        }
    }

    /// Adds the point `(x, y)`; a point whose `y` is not finite is left out.
    pub fn push(&mut self, x: f64, y: f64) {
        if !y.is_finite() || !x.is_finite() {
            return;
        }
        let i = self.column_of(x);
        match &mut self.columns[i] {
            Some(c) => {
                if y < c.min.1 {
                    c.min = (x, y);
                }
                if y > c.max.1 {
                    c.max = (x, y);
                }
            }
            empty @ None => {
                *empty = Some(ColumnExtremes {
                    min: (x, y),
                    max: (x, y),
                })
            }
        }
    }

    #[cfg(test)]
    /// The extremes of column `i`, if any point fell in it.
    pub fn column(&self, i: usize) -> Option<ColumnExtremes> {
        self.columns.get(i).copied().flatten()
    }

    #[cfg(test)]
    /// Whether no point was pushed.
    pub fn is_empty(&self) -> bool {
        self.columns.iter().all(Option::is_none)
    }

    /// The points to draw, in order of x: per column, its minimum and its
    /// maximum in the order they occurred (one point when they coincide).
    pub fn points(&self) -> Vec<(f64, f64)> {
        let mut out = Vec::with_capacity(self.columns.len() * 2);
        for c in self.columns.iter().flatten() {
            let (first, second) = if c.min.0 <= c.max.0 {
                (c.min, c.max)
            } else {
                (c.max, c.min)
            };
            out.push(first);
            if second != first {
                out.push(second);
            }
        }
        out
    }

    /// The smallest and largest value of the whole series.
    pub fn y_range(&self) -> Option<(f64, f64)> {
        self.columns.iter().flatten().fold(None, |acc, c| {
            Some(match acc {
                None => (c.min.1, c.max.1),
                Some((lo, hi)) => (f64::min(lo, c.min.1), f64::max(hi, c.max.1)),
            })
        })
    }

    /// The largest value, or 0 for an empty series.
    pub fn max_or_zero(&self) -> f64 {
        self.y_range().map_or(0.0, |(_, hi)| hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seven-year hourly series with a one-hour spike and a one-hour dip:
    /// every column of the reduction holds exactly the minimum and maximum
    /// of the raw points in it, and the spike and dip survive.
    #[test]
    fn a_long_hourly_series_keeps_every_columns_extremes() {
        let hours = 61_368usize;
        let columns = 1_100;
        let value = |h: usize| -> f64 {
            match h {
                30_001 => 900.0,
                45_678 => -50.0,
                _ => 100.0 + 20.0 * ((h as f64) * 0.37).sin() + (h % 24) as f64,
            }
        };
        let mut s = MinMaxSeries::new(0.0, hours as f64, columns);
        for h in 1..=hours {
            s.push(h as f64, value(h));
        }
        // Recount: the raw points of each column, their min and max.
        let mut raw: Vec<Vec<(f64, f64)>> = vec![Vec::new(); columns];
        for h in 1..=hours {
            raw[s.column_of(h as f64)].push((h as f64, value(h)));
        }
        for (i, points) in raw.iter().enumerate() {
            let c = s.column(i).expect("every column has points");
            let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
            let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(c.min.1, lo, "column {i} min");
            assert_eq!(c.max.1, hi, "column {i} max");
            assert!(points.contains(&c.min) && points.contains(&c.max));
        }
        let drawn = s.points();
        assert!(drawn.len() <= 2 * columns, "{} points drawn", drawn.len());
        assert!(drawn.contains(&(30_001.0, 900.0)), "the spike is drawn");
        assert!(drawn.contains(&(45_678.0, -50.0)), "the dip is drawn");
        assert!(drawn.windows(2).all(|w| w[0].0 < w[1].0), "in time order");
        assert_eq!(s.y_range(), Some((-50.0, 900.0)));
    }

    #[test]
    fn short_series_are_drawn_point_for_point() {
        let mut s = MinMaxSeries::new(0.0, 10.0, 100);
        for x in 0..10 {
            s.push(x as f64, (x * x) as f64);
        }
        s.push(3.0, f64::NAN);
        assert_eq!(
            s.points(),
            (0..10)
                .map(|x| (x as f64, (x * x) as f64))
                .collect::<Vec<_>>()
        );
        assert!(MinMaxSeries::new(0.0, 0.0, 10).is_empty());
    }
}
