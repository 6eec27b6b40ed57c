//! Charts (PNG and SVG) drawn with plotters from the rows a run recorded.
//!
//! Text is drawn with DejaVu Sans, embedded in the binary and registered
//! with plotters' `ab_glyph` renderer under the family `"sans-serif"`
//! ([`init_fonts`]), so charts render the same on a machine with no system
//! fonts. A chart is drawn once per format by a [`Chart`], into memory (an
//! SVG string, an RGB buffer encoded as PNG), and written as files of an
//! [`OutputSet`], so charts appear together with the CSV files or not at
//! all, and no path is opened but through the set.

pub mod comparison;

use std::io::Write;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::set::{OutputError, OutputSet};

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
    Ok(out)
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

#[cfg(test)]
mod tests {
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
