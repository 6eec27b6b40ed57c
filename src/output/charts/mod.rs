//! Charts (PNG and SVG) drawn with plotters from the rows a run recorded.
//!
//! Text is drawn with DejaVu Sans, embedded in the binary and registered
//! with plotters' `ab_glyph` renderer under the family `"sans-serif"`
//! ([`init_fonts`]), so charts render the same on a machine with no system
//! fonts. A chart is drawn once per format by a [`Chart`], into memory (an
//! SVG string, an RGB buffer encoded as PNG), and written as files of an
//! [`OutputSet`], so charts appear together with the CSV files or not at
//! all, and no path is opened but through the set.
//!
//! The per-run charts ([`ChartKind`]) are drawn from the run's rows
//! ([`data::RunData`]), gathered as they are recorded
//! ([`recorded::RunDataRecorder`]) or read back from the run's CSV files
//! ([`data::RunData::read`]), never from the simulation's state: each value
//! goes through its column of the schema, so what a chart shows is what
//! the files say. Each chart is drawn once per format, the charts in
//! parallel.

pub mod comparison;
pub mod tornado;

use std::io::Write;

use rayon::prelude::*;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::set::{OutputError, OutputSet};

pub mod calendar;
pub mod data;
pub mod money;
pub mod plots;
pub mod recorded;
pub mod reduce;
pub mod style;

use data::RunData;
pub use plots::ServiceTarget;

/// DejaVu Sans (Bitstream Vera license with DejaVu's public-domain
/// changes; `assets/fonts/LICENSE-DejaVu.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font as `"sans-serif"` (plotters' default family
/// for captions, tick labels and legends). Call before drawing; idempotent.
pub fn init_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The embedded file is a valid TrueType font: registration cannot
        // fail at run time if it passed the test below once.
        if plotters::style::register_font("sans-serif", FontStyle::Normal, DEJAVU_SANS).is_err() {
            panic!("the embedded DejaVu Sans font is not a valid font");
        }
    });
}

/// Error of a drawing, as text (plotters' errors are generic over the
/// backend).
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Plotters could not draw.
    #[error("cannot draw chart {name}: {message}")]
    Draw {
        /// The chart's file stem.
        name: String,
        /// What plotters said.
        message: String,
    },
    /// Writing a file of the set failed.
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// Something that draws itself on any plotters backend.
pub trait Chart {
    /// Draws the whole chart on `area` (already sized).
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>;
}

/// Draws `chart` as an SVG document (text kept as `<text>` elements).
pub fn svg_string(chart: &impl Chart, size: (u32, u32)) -> Result<String, String> {
    init_fonts();
    let mut out = String::new();
    {
        let backend = SVGBackend::with_string(&mut out, size);
        let area = backend.into_drawing_area();
        chart.draw(&area).map_err(|e| e.to_string())?;
        area.present().map_err(|e| e.to_string())?;
    }
    Ok(xml_chars(out))
}

/// `svg` with every character XML 1.0 cannot carry (controls other than
/// tab, line feed and carriage return; U+FFFE, U+FFFF) replaced by U+FFFD,
/// so the document stays well-formed whatever a label holds.
fn xml_chars(svg: String) -> String {
    let bad = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x20)
            || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    if !svg.chars().any(bad) {
        return svg;
    }
    svg.chars()
        .map(|c| if bad(c) { '\u{fffd}' } else { c })
        .collect()
}

/// Draws `chart` as a PNG image (8-bit RGB).
pub fn png_bytes(chart: &impl Chart, size: (u32, u32)) -> Result<Vec<u8>, String> {
    init_fonts();
    let (w, h) = size;
    let mut rgb = vec![0u8; (w as usize) * (h as usize) * 3];
    {
        let backend = BitMapBackend::with_buffer(&mut rgb, size);
        let area = backend.into_drawing_area();
        chart.draw(&area).map_err(|e| e.to_string())?;
        area.present().map_err(|e| e.to_string())?;
    }
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
    }
    Ok(png)
}

/// Writes `chart` as `<stem>.png` and `<stem>.svg` into `set` (both names
/// must be in [`super::set::DCSIM_FILES`]). Returns the SVG text, for a
/// page that inlines it.
pub fn write_chart(
    set: &mut OutputSet,
    png_name: &'static str,
    svg_name: &'static str,
    chart: &impl Chart,
    size: (u32, u32),
) -> Result<String, ChartError> {
    let draw_error = |message: String| ChartError::Draw {
        name: svg_name.trim_end_matches(".svg").to_string(),
        message,
    };
    let svg = svg_string(chart, size).map_err(draw_error)?;
    let png = png_bytes(chart, size).map_err(draw_error)?;
    for (name, bytes) in [(png_name, png.as_slice()), (svg_name, svg.as_bytes())] {
        let mut file = set.create_file(name)?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| set.write_error(name, e))?;
    }
    Ok(svg)
}

/// The per-run charts, in the order the report shows them. Each is drawn
/// only when the run has its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Facility and IT power against the grid connection, per site.
    Power,
    /// Chips online, healthy, held by training and inference, and down.
    Chips,
    /// Failures per calendar month, stacked by class.
    Failures,
    /// Energy cost and carbon per calendar month.
    Energy,
    /// Demand against served per service, p99 latencies against targets.
    Inference,
    /// Work done, jobs running, waiting and queued, the jobs' ETTR.
    Training,
    /// Cash flow per month and cumulative cash.
    Cash,
    /// The contracts' committed and delivered capacity-hours per month,
    /// and the months credited.
    Contracts,
}

impl ChartKind {
    /// Every chart, in report order.
    pub const ALL: [ChartKind; 8] = [
        ChartKind::Power,
        ChartKind::Chips,
        ChartKind::Failures,
        ChartKind::Energy,
        ChartKind::Inference,
        ChartKind::Training,
        ChartKind::Cash,
        ChartKind::Contracts,
    ];

    /// The file stem: `power` for `power.png` and `power.svg`.
    pub fn stem(self) -> &'static str {
        match self {
            ChartKind::Power => "power",
            ChartKind::Chips => "chips",
            ChartKind::Failures => "failures",
            ChartKind::Energy => "energy",
            ChartKind::Inference => "inference",
            ChartKind::Training => "training",
            ChartKind::Cash => "cash",
            ChartKind::Contracts => "contracts",
        }
    }

    /// The PNG file's name.
    pub fn png_name(self) -> &'static str {
        match self {
            ChartKind::Power => "power.png",
            ChartKind::Chips => "chips.png",
            ChartKind::Failures => "failures.png",
            ChartKind::Energy => "energy.png",
            ChartKind::Inference => "inference.png",
            ChartKind::Training => "training.png",
            ChartKind::Cash => "cash.png",
            ChartKind::Contracts => "contracts.png",
        }
    }

    /// The SVG file's name.
    pub fn svg_name(self) -> &'static str {
        match self {
            ChartKind::Power => "power.svg",
            ChartKind::Chips => "chips.svg",
            ChartKind::Failures => "failures.svg",
            ChartKind::Energy => "energy.svg",
            ChartKind::Inference => "inference.svg",
            ChartKind::Training => "training.svg",
            ChartKind::Cash => "cash.svg",
            ChartKind::Contracts => "contracts.svg",
        }
    }

    /// One line on what it shows.
    pub fn describe(self) -> &'static str {
        match self {
            ChartKind::Power => {
                "facility and IT power against the grid connection, per site (the fleet's sum beyond six sites)"
            }
            ChartKind::Chips => {
                "chips online, healthy, held by training and by inference, and failed or in repair, summed over sites"
            }
            ChartKind::Failures => "failures per calendar month, stacked by class",
            ChartKind::Energy => {
                "energy cost and carbon emitted per calendar month (when the scenario prices energy or carbon)"
            }
            ChartKind::Inference => {
                "demand against served requests/s per service, and TTFT and TPOT p99 as multiples of their targets"
            }
            ChartKind::Training => {
                "cumulative training work kept and lost, jobs running, waiting and queued, and the jobs' ETTR distribution"
            }
            ChartKind::Cash => {
                "cash flow per month (bars) and cumulative cash (line), with the payback month"
            }
            ChartKind::Contracts => {
                "capacity-hours committed and delivered per month, summed over the contracts (contracts_monthly.csv), and the months credited for missing the SLA"
            }
        }
    }

    /// Whether the run has the data this chart shows.
    pub fn applies(self, data: &RunData) -> bool {
        match self {
            ChartKind::Power | ChartKind::Chips => data.site_count > 0,
            ChartKind::Failures => data
                .months
                .failures
                .iter()
                .any(|f| f.iter().any(|n| *n > 0)),
            ChartKind::Energy => data
                .months
                .energy_cost_usd
                .iter()
                .chain(&data.months.carbon_tco2e)
                .any(|x| *x > 0.0),
            ChartKind::Inference => data.services.as_ref().is_some_and(|s| !s.list.is_empty()),
            ChartKind::Training => data.training.is_some(),
            ChartKind::Cash => data.monthly.as_ref().is_some_and(|m| !m.rows.is_empty()),
            ChartKind::Contracts => data
                .contracts_monthly
                .as_ref()
                .is_some_and(|m| !m.rows.is_empty()),
        }
    }
}

/// A chart drawn in both formats.
#[derive(Clone, Debug)]
pub struct DrawnChart {
    /// Which chart.
    pub kind: ChartKind,
    /// The SVG document.
    pub svg: String,
    /// The PNG image.
    pub png: Vec<u8>,
}

/// The two formats a chart is drawn in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Svg,
    Png,
}

/// A chart's bytes in one format.
enum Drawn {
    Svg(String),
    Png(Vec<u8>),
}

/// Draws `kind` in `format` at the slide size.
fn draw_kind(
    kind: ChartKind,
    format: Format,
    data: &RunData,
    targets: &[ServiceTarget],
) -> Result<Drawn, String> {
    fn one(chart: &impl Chart, format: Format) -> Result<Drawn, String> {
        match format {
            Format::Svg => svg_string(chart, style::SIZE).map(Drawn::Svg),
            Format::Png => png_bytes(chart, style::SIZE).map(Drawn::Png),
        }
    }
    match kind {
        ChartKind::Power => one(&plots::PowerChart { data }, format),
        ChartKind::Chips => one(&plots::ChipsChart { data }, format),
        ChartKind::Failures => one(&plots::FailuresChart { data }, format),
        ChartKind::Energy => one(&plots::EnergyChart { data }, format),
        ChartKind::Inference => one(&plots::InferenceChart { data, targets }, format),
        ChartKind::Training => one(&plots::TrainingChart { data }, format),
        ChartKind::Cash => one(&money::CashChart { data }, format),
        ChartKind::Contracts => one(&money::ContractsChart { data }, format),
    }
}

/// Draws every chart the run has data for, once per format, in parallel;
/// the result is in [`ChartKind::ALL`] order and the same bytes every time.
/// On failure, the chart and what plotters said.
pub fn draw_charts(
    data: &RunData,
    targets: &[ServiceTarget],
) -> Result<Vec<DrawnChart>, (ChartKind, String)> {
    let kinds: Vec<ChartKind> = ChartKind::ALL
        .into_iter()
        .filter(|k| k.applies(data))
        .collect();
    let jobs: Vec<(ChartKind, Format)> = kinds
        .iter()
        .flat_map(|k| [(*k, Format::Png), (*k, Format::Svg)])
        .collect();
    let drawn: Vec<Result<Drawn, (ChartKind, String)>> = jobs
        .par_iter()
        .map(|(k, f)| draw_kind(*k, *f, data, targets).map_err(|e| (*k, e)))
        .collect();
    let mut out: Vec<DrawnChart> = kinds
        .iter()
        .map(|k| DrawnChart {
            kind: *k,
            svg: String::new(),
            png: Vec::new(),
        })
        .collect();
    for ((kind, _), result) in jobs.iter().zip(drawn) {
        let slot = out
            .iter_mut()
            .find(|c| c.kind == *kind)
            .expect("one slot per kind");
        match result? {
            Drawn::Svg(s) => slot.svg = s,
            Drawn::Png(p) => slot.png = p,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {

    #[test]
    fn svg_text_keeps_only_characters_xml_can_carry() {
        assert_eq!(
            xml_chars("<text>a\u{1}b\u{0}\tc\u{ffff}</text>".to_string()),
            "<text>a\u{fffd}b\u{fffd}\tc\u{fffd}</text>"
        );
        assert_eq!(xml_chars("é &amp;".to_string()), "é &amp;");
    }

    use super::*;

    struct Demo;

    impl Chart for Demo {
        fn draw<DB: DrawingBackend>(
            &self,
            area: &DrawingArea<DB, Shift>,
        ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
            area.fill(&WHITE)?;
            let mut chart = ChartBuilder::on(area)
                .caption("Power against the grid", ("sans-serif", 24))
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(50)
                .build_cartesian_2d(0f64..10f64, 0f64..100f64)?;
            chart
                .configure_mesh()
                .x_desc("time [h]")
                .y_desc("power [MW]")
                .draw()?;
            chart
                .draw_series(LineSeries::new(
                    (0..=10).map(|x| (x as f64, 10.0 * x as f64)),
                    &BLUE,
                ))?
                .label("facility")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
            chart.configure_series_labels().border_style(BLACK).draw()?;
            Ok(())
        }
    }

    #[test]
    fn charts_render_text_with_the_embedded_font() {
        let svg = svg_string(&Demo, (640, 400)).unwrap();
        assert!(svg.contains("Power against the grid"));
        assert!(svg.contains("power [MW]"));
        assert!(svg.contains("facility"));
        let png = png_bytes(&Demo, (640, 400)).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // Not blank: decode and count non-white pixels.
        let decoder = png::Decoder::new(std::io::Cursor::new(&png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (640, 400));
        let inked = buf[..info.buffer_size()]
            .chunks(3)
            .filter(|p| p != &[255, 255, 255])
            .count();
        assert!(inked > 2_000, "{inked} inked pixels");
        // The same bytes every time.
        assert_eq!(png, png_bytes(&Demo, (640, 400)).unwrap());
    }
}
