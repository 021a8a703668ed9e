//! The SVG charts of `--svg FILE`: one small panel per metric, one bar per policy; for a
//! sweep, one line per policy against the swept value, with its 95% band.

use std::error::Error;
use std::path::Path;

use floorshare::sim::{PolicySummary, SimulationSummary, SweepSummary};
use plotters::coord::Shift;
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
    let title = format!(
        "{}: {} runs, seed {} (bars: mean per policy; whiskers: 95% confidence interval)",
        summary.scenario, summary.runs, summary.seed
    );
    let (panels, panel_rows, panel_columns) = frame(path, &title, 20, policies, metrics.len())?;

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
    panels.present()?;
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

/// Writes a chart of `metrics` against a sweep's value to `path` as SVG: a title line
/// (scenario, runs, seed, parameter), a legend of the policies, then a grid of panels, one per
/// metric, in which each policy is a line through its means at each value, with its 95%
/// interval shaded around it. Numeric values make a numeric x axis (points in the order of the
/// value); string values a categorical one, in the sweep's order. A value where a policy's
/// metric was never defined (`n = 0`), or whose mean or interval is not a finite number, is a
/// gap in its line.
///
/// The axes are bounded as the bar chart's are: y as [`y_range`], x by [`x_range`] (within
/// ±[`LIMIT`], a span of at least [`MIN_SPAN`]); every loop is bounded by the numbers of
/// values, policies and metrics, so drawing ends whatever the summary holds.
pub fn write_sweep_svg(
    summary: &SweepSummary,
    metrics: &[&str],
    path: &Path,
) -> Result<(), String> {
    let values = &summary.sweep.values;
    if metrics.is_empty() || values.is_empty() || values.iter().any(|v| v.policies.is_empty()) {
        return Err("svg: nothing to chart (no metric, no value or no policy)".to_string());
    }
    if let Some(m) = metrics.iter().find(|m| {
        values
            .iter()
            .flat_map(|v| &v.policies)
            .all(|p| !p.metrics.contains_key(**m))
    }) {
        return Err(format!("svg: no policy reports the metric {m:?}"));
    }
    draw_sweep(summary, metrics, path)
        .map_err(|err| format!("output: cannot write {path:?}: {err}"))
}

/// The area for a chart's panels, with its rows and columns of panels.
type Panels<'a> = (DrawingArea<SVGBackend<'a>, Shift>, usize, usize);

/// The part both charts share, so that they look alike: an SVG of the width, a bold title line
/// of `title_size`, a legend numbering `policies` in [`COLUMNS`] columns, and below them the
/// area for `metrics` panels, returned with its rows and columns of panels.
fn frame<'a>(
    path: &'a Path,
    title: &str,
    title_size: u32,
    policies: &[PolicySummary],
    metrics: usize,
) -> Result<Panels<'a>, Box<dyn Error>> {
    let rows = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let legend_rows = rows(policies.len().div_ceil(COLUMNS));
    let legend_height = legend_rows.saturating_mul(LEGEND_ROW).saturating_add(16);
    // A single metric or two get the whole width rather than a third of it each.
    let panel_columns = metrics.min(COLUMNS);
    let panel_rows = metrics.div_ceil(panel_columns);
    let height = TITLE_HEIGHT
        .saturating_add(legend_height)
        .saturating_add(rows(panel_rows).saturating_mul(PANEL_HEIGHT));

    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (title_area, rest) = root.split_vertically(TITLE_HEIGHT);
    let (legend, panels) = rest.split_vertically(legend_height);

    title_area.draw(&Text::new(
        title,
        (20, 14),
        ("sans-serif", title_size)
            .into_font()
            .style(FontStyle::Bold),
    ))?;

    // Policies are numbered in the legend and on the x axes, so that the long labels appear
    // once and colour is not the only way to tell the bars (or lines) apart.
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
    Ok((panels, panel_rows, panel_columns))
}

/// The x axis of a sweep: numeric positions within ±[`LIMIT`] and a little room on each side,
/// or a unit of room around a single position (a span below [`MIN_SPAN`]). Always finite,
/// with `left < right`.
pub fn x_range(positions: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut left, mut right) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in positions.into_iter().filter(|x| x.is_finite()) {
        let x = x.clamp(-LIMIT, LIMIT);
        left = left.min(x);
        right = right.max(x);
    }
    if !(left.is_finite() && right.is_finite()) {
        return (0.0, 1.0);
    }
    if right - left >= MIN_SPAN {
        let room = 0.05 * (right - left);
        (left - room, right + room)
    } else {
        (left - 1.0, left + 1.0)
    }
}

/// A point of a sweep's line: x, the interval's low end, the mean, the interval's high end.
type Point = (f64, f64, f64, f64);

/// A tick label for a numeric x: short, with an exponent for very large or small values.
fn number_label(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-3) {
        return format!("{x:.2e}");
    }
    let text = format!("{x:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

fn draw_sweep(summary: &SweepSummary, metrics: &[&str], path: &Path) -> Result<(), Box<dyn Error>> {
    let values = &summary.sweep.values;
    let policies = &values[0].policies;
    let categorical = values.iter().any(|v| v.value.as_f64().is_none());
    // Each value's position on the x axis (within the axis: clamped as the axis is).
    let positions: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(i, v)| match v.value.as_f64() {
            Some(x) if !categorical => x,
            _ => i as f64,
        })
        .collect();
    let (left, right) = if categorical {
        (-0.5, values.len() as f64 - 0.5)
    } else {
        x_range(positions.iter().copied())
    };
    let positions: Vec<f64> = positions.iter().map(|x| x.clamp(left, right)).collect();
    // The values in the order of their positions: lines go left to right.
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| positions[a].total_cmp(&positions[b]));

    let title = format!(
        "{}: {} runs per value, seed {}, against {} (lines: means; bands: 95% confidence intervals)",
        summary.scenario, summary.runs, summary.seed, summary.sweep.parameter
    );
    let (panels, panel_rows, panel_columns) = frame(path, &title, 18, policies, metrics.len())?;

    let labels: Vec<String> = values.iter().map(|v| v.value.to_string()).collect();
    for (area, &metric) in panels
        .split_evenly((panel_rows, panel_columns))
        .iter()
        .zip(metrics)
    {
        // Per policy, per value in x order: (x, low, mean, high), or None where undefined.
        let lines: Vec<Vec<Option<Point>>> = (0..policies.len())
            .map(|k| {
                order
                    .iter()
                    .map(|&i| {
                        let s = values[i].policies.get(k)?.metrics.get(metric)?;
                        let (low, high) = s.ci95();
                        (s.n > 0 && low.is_finite() && s.mean.is_finite() && high.is_finite())
                            .then_some((positions[i], low, s.mean, high))
                    })
                    .collect()
            })
            .collect();
        let (bottom, top) = y_range(
            lines
                .iter()
                .flatten()
                .flatten()
                .flat_map(|&(_, low, mean, high)| [low, mean, high]),
        );
        let at = |v: f64| v.clamp(bottom, top);

        let mut chart = ChartBuilder::on(area)
            .caption(metric, ("sans-serif", 17))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d(left..right, bottom..top)?;
        let label_of = |x: &f64| {
            if categorical {
                let k = x.round();
                if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < labels.len() {
                    labels[k as usize].clone()
                } else {
                    String::new()
                }
            } else {
                number_label(*x)
            }
        };
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .x_labels(values.len().clamp(2, 12))
            .x_label_formatter(&label_of)
            .x_desc(summary.sweep.parameter.as_str())
            .y_labels(6)
            .y_label_formatter(&|y| format!("{y:.2}"))
            .label_style(("sans-serif", 13))
            .draw()?;
        for (k, line) in lines.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            // A line is broken where the metric is undefined: each unbroken part drawn alone.
            for part in line.split(Option::is_none) {
                let points: Vec<Point> = part
                    .iter()
                    .flatten()
                    .map(|&(x, low, mean, high)| (x, at(low), at(mean), at(high)))
                    .collect();
                if points.len() >= 2 {
                    let band: Vec<(f64, f64)> = points
                        .iter()
                        .map(|&(x, _, _, high)| (x, high))
                        .chain(points.iter().rev().map(|&(x, low, _, _)| (x, low)))
                        .collect();
                    chart.draw_series(std::iter::once(Polygon::new(
                        band,
                        colour.mix(0.18).filled(),
                    )))?;
                    chart.draw_series(std::iter::once(PathElement::new(
                        points
                            .iter()
                            .map(|&(x, _, mean, _)| (x, mean))
                            .collect::<Vec<_>>(),
                        colour.stroke_width(2),
                    )))?;
                } else if let Some(&(x, low, _, high)) = points.first() {
                    // A single point: its interval as a whisker.
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, low), (x, high)],
                        colour.stroke_width(2),
                    )))?;
                }
                chart.draw_series(
                    points
                        .iter()
                        .map(|&(x, _, mean, _)| Circle::new((x, mean), 3, colour.filled())),
                )?;
            }
        }
    }
    panels.present()?;
    Ok(())
}
