//! The SVG chart of `--svg FILE`: one small panel per metric, one bar per policy.

use std::error::Error;
use std::path::Path;

use floorshare::sim::SimulationSummary;
use plotters::prelude::*;

const WIDTH: u32 = 1200;
const COLUMNS: usize = 3;
const TITLE_HEIGHT: u32 = 44;
const LEGEND_ROW: u32 = 24;
const PANEL_HEIGHT: u32 = 300;
/// The largest magnitude an axis shows: far beyond any metric, and small enough that the
/// range, its headroom and its tick steps stay finite.
pub const LIMIT: f64 = 1e15;
/// The smallest span an axis shows.
pub const MIN_SPAN: f64 = 1e-9;
/// Tableau 10: distinct hues that stay apart for most colour-blind readers.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
];

/// Writes a chart of `metrics` by policy to `path` as SVG: a title line (scenario, runs,
/// seed), a legend numbering the policies, then a grid of panels, one per metric, in which
/// policy `k` is the `k`-th bar, its height the mean and its whisker the 95% interval.
/// Each panel's y axis runs from 0 (or the lowest interval, if negative) to just above the
/// highest interval, within ±[`LIMIT`]. A policy whose metric was never defined (`n = 0`), or
/// whose mean or interval is not a finite number, has no bar.
///
/// Every loop is bounded by the numbers of policies and metrics, and the axis range is always
/// finite and non-empty, so drawing ends whatever the summary holds (a mean of 1.7e308 once
/// made the range infinite and the axis loop for ever).
///
/// Text is written as SVG `<text>` in the viewer's `sans-serif`: no font is read here, and
/// label widths are estimated, so the layout leaves room to spare.
pub fn write_svg(summary: &SimulationSummary, metrics: &[&str], path: &Path) -> Result<(), String> {
    if metrics.is_empty() || summary.policies.is_empty() {
        return Err("svg: nothing to chart (no metric or no policy)".to_string());
    }
    // A name that no policy reports is a typo, not a metric that was never defined.
    if let Some(m) = metrics.iter().find(|m| {
        summary
            .policies
            .iter()
            .all(|p| !p.metrics.contains_key(**m))
    }) {
        return Err(format!("svg: no policy reports the metric {m:?}"));
    }
    draw(summary, metrics, path).map_err(|err| format!("output: cannot write {path:?}: {err}"))
}

fn draw(summary: &SimulationSummary, metrics: &[&str], path: &Path) -> Result<(), Box<dyn Error>> {
    let policies = &summary.policies;
    let rows = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let legend_rows = rows(policies.len().div_ceil(COLUMNS));
    let legend_height = legend_rows.saturating_mul(LEGEND_ROW).saturating_add(16);
    // A single metric or two get the whole width rather than a third of it each.
    let panel_columns = metrics.len().min(COLUMNS);
    let panel_rows = metrics.len().div_ceil(panel_columns);
    let height = TITLE_HEIGHT
        .saturating_add(legend_height)
        .saturating_add(rows(panel_rows).saturating_mul(PANEL_HEIGHT));

    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (title, rest) = root.split_vertically(TITLE_HEIGHT);
    let (legend, panels) = rest.split_vertically(legend_height);

    title.draw(&Text::new(
        format!(
            "{}: {} runs, seed {} (bars: mean per policy; whiskers: 95% confidence interval)",
            summary.scenario, summary.runs, summary.seed
        ),
        (20, 14),
        ("sans-serif", 20).into_font().style(FontStyle::Bold),
    ))?;

    // Policies are numbered in the legend and on the x axes, so that the long labels appear
    // once and colour is not the only way to tell the bars apart.
    let column_width = (WIDTH / COLUMNS as u32) as i32;
    for (k, policy) in policies.iter().enumerate() {
        let x = 20 + (k % COLUMNS) as i32 * column_width;
        let y = 4 + (k / COLUMNS) as i32 * LEGEND_ROW as i32;
        let colour = PALETTE[k % PALETTE.len()];
        legend.draw(&Rectangle::new(
            [(x, y + 2), (x + 16, y + 18)],
            colour.filled(),
        ))?;
        legend.draw(&Text::new(
            format!("{} {}", k + 1, policy.name),
            (x + 24, y + 3),
            ("sans-serif", 15),
        ))?;
    }

    for (area, &metric) in panels
        .split_evenly((panel_rows, panel_columns))
        .iter()
        .zip(metrics)
    {
        // Only policies whose metric was defined in some run have a mean to show.
        let bars: Vec<(usize, f64, f64, f64)> = policies
            .iter()
            .enumerate()
            .filter_map(|(k, p)| p.metrics.get(metric).filter(|s| s.n > 0).map(|s| (k, s)))
            .map(|(k, s)| {
                let (low, high) = s.ci95();
                (k, low, s.mean, high)
            })
            .filter(|&(_, low, mean, high)| low.is_finite() && mean.is_finite() && high.is_finite())
            .collect();
        let (bottom, top) = y_range(bars.iter().flat_map(|b| [b.1, b.2, b.3]));
        // Values beyond the axis are drawn at its edge: a coordinate far outside would
        // overflow the backend's pixel arithmetic.
        let bars: Vec<_> = bars
            .into_iter()
            .map(|(k, low, mean, high)| {
                let at = |v: f64| v.clamp(bottom, top);
                (k, at(low), at(mean), at(high))
            })
            .collect();

        let mut chart = ChartBuilder::on(area)
            .caption(metric, ("sans-serif", 17))
            .margin(12)
            .x_label_area_size(24)
            .y_label_area_size(48)
            .build_cartesian_2d((0..policies.len() - 1).into_segmented(), bottom..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .x_labels(policies.len())
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(k) => (k + 1).to_string(),
                _ => String::new(),
            })
            .y_labels(6)
            .y_label_formatter(&|y| format!("{y:.2}"))
            .label_style(("sans-serif", 13))
            .draw()?;
        chart.draw_series(bars.iter().map(|&(k, _, mean, _)| {
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(k), 0.0),
                    (SegmentValue::Exact(k + 1), mean),
                ],
                PALETTE[k % PALETTE.len()].filled(),
            );
            bar.set_margin(0, 0, 4, 4);
            bar
        }))?;
        chart.draw_series(bars.iter().map(|&(k, low, mean, high)| {
            ErrorBar::new_vertical(
                SegmentValue::CenterOf(k),
                low,
                mean,
                high,
                BLACK.filled().stroke_width(2),
                8,
            )
        }))?;
    }
    // Without present() the file is written on drop, and a failed write goes unreported.
    root.present()?;
    Ok(())
}

/// The y axis of a panel showing `values`: from 0 (or the lowest value, if negative) to a
/// tenth above the highest, each clamped to ±[`LIMIT`] (non-finite values are skipped); a unit
/// range when the values span less than [`MIN_SPAN`] (every value 0), for the axis's ticks are
/// found by dividing its span by ten until they fit, which never ends on a span of 1e-320.
/// Always finite, with `bottom < top`.
pub fn y_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut bottom, mut top) = (0.0_f64, 0.0_f64);
    for value in values.into_iter().filter(|v| v.is_finite()) {
        let value = value.clamp(-LIMIT, LIMIT);
        bottom = bottom.min(value);
        top = top.max(value);
    }
    if top - bottom >= MIN_SPAN {
        (bottom, top + 0.1 * (top - bottom))
    } else {
        (bottom, bottom + 1.0)
    }
}
