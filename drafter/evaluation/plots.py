"""Hand-built plots for the evaluation report (inline SVG, and the red-to-green heat map of group means), with the
number, colour and table formats they share with the report.

Every SVG plot is an `<svg role="img">` with an `aria-label` and a `<title>`, so a screen reader (and a reader of
the raw file) knows what it shows. Text that reaches a plot (scorer names, group names) is HTML-escaped here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape

from drafter.core.evaluation import GroupSummary

DASH = "—"
BINS = 10
BAR_COLOUR = "#3b6fb6"
LANGUAGE_COLOURS = ("#3b6fb6", "#d9822b", "#5a9e5a", "#8e5ab5")

# Histogram geometry (user units of the viewBox).
H_WIDTH, H_HEIGHT = 320, 190
H_LEFT, H_RIGHT, H_TOP, H_BOTTOM = 16, 16, 40, 28

# Language bar chart geometry.
B_LABEL, B_PLOT, B_RIGHT = 190, 300, 50
B_BAR, B_GAP, B_TOP = 11, 10, 44


def number(value: float | None, digits: int = 3) -> str:
    """A score with a fixed number of decimals, or an em dash for a value that does not exist."""
    return DASH if value is None else f"{value:.{digits}f}"


def heat(value: float | None) -> str:
    """An inline `background` style on a red (0) to green (1) scale; empty for None.

    Light tints keep dark text readable on every cell.
    """
    if value is None:
        return ""
    hue = round(max(0.0, min(1.0, value)) * 120)
    return f"background:hsl({hue},70%,84%)"


def cell(value: float | None, *, coloured: bool = True) -> str:
    """A right-aligned table cell holding a score, tinted by `heat` unless `coloured` is false."""
    style = f' style="{heat(value)}"' if coloured and value is not None else ""
    return f'<td class="num"{style}>{number(value)}</td>'


def table(head: Sequence[str], rows: Iterable[str]) -> str:
    """A table with a header row of (escaped) column names over rows already rendered as `<tr>` elements."""
    cells = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    return f'<div class="wide"><table><thead><tr>{cells}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def is_language(group: str) -> bool:
    """Whether a summary group is a language (not 'all' and not 'tag:<tag>')."""
    return group != "all" and not group.startswith("tag:")


def bin_counts(values: Sequence[float]) -> list[int]:
    """Counts of values in 10 equal bins over [0, 1]; 1.0 falls in the last bin."""
    counts = [0] * BINS
    for value in values:
        # The epsilon keeps values such as 0.7 (stored as 0.69999...) in the bin a reader expects.
        counts[min(int(value * BINS + 1e-9), BINS - 1)] += 1
    return counts


def _svg(width: int, height: int, label: str, body: str, **data: str) -> str:
    attrs = "".join(f' data-{key}="{escape(value)}"' for key, value in data.items())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11" role="img" aria-label="{escape(label)}"{attrs}>'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def _text(x: float, y: float, content: str, *, anchor: str = "middle", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{escape(content)}</text>'


def _histogram_bar(index: int, count: int, tallest: int) -> str:
    plot_width = H_WIDTH - H_LEFT - H_RIGHT
    plot_height = H_HEIGHT - H_TOP - H_BOTTOM
    width = plot_width / BINS
    height = plot_height * count / tallest if tallest else 0.0
    x, y = H_LEFT + index * width, H_TOP + plot_height - height
    low, high = index / BINS, (index + 1) / BINS
    bar = (
        f'<rect class="bar" fill="{BAR_COLOUR}" x="{x + 1:.1f}" y="{y:.1f}" width="{width - 2:.1f}" '
        f'height="{height:.1f}" data-bin="{low:.1f}-{high:.1f}" data-count="{count}">'
        f"<title>{low:.1f}–{high:.1f}: {count}</title></rect>"
    )
    label = _text(x + width / 2, y - 3, str(count), cls="count") if count else ""
    return bar + label


def _x_axis(left: float, width: float, y: float) -> str:
    """The line at y and ticks at 0, 0.5 and 1 under it."""
    parts = [f'<line class="axis" stroke="#555" x1="{left}" y1="{y}" x2="{left + width}" y2="{y}"/>']
    for tick in (0.0, 0.5, 1.0):
        x = left + width * tick
        parts.append(f'<line class="axis" stroke="#555" x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 4}"/>')
        parts.append(_text(x, y + 15, f"{tick:g}", cls="tick"))
    return "".join(parts)


def histogram(name: str, values: Sequence[float], mean: float | None) -> str:
    """A histogram of one scorer's per-case values: 10 bins over [0, 1], each bar labelled with its count.

    Args:
        name: The scorer's name (or "overall").
        values: The values of the cases the scorer applies to.
        mean: The scorer's mean as the run summary states it.
    """
    counts = bin_counts(values)
    tallest = max(counts)
    title = f"{name} — mean {number(mean)} (n={len(values)})"
    bars = "".join(_histogram_bar(i, count, tallest) for i, count in enumerate(counts))
    axis = _x_axis(H_LEFT, H_WIDTH - H_LEFT - H_RIGHT, H_HEIGHT - H_BOTTOM)
    body = _text(H_WIDTH / 2, 18, title, cls="plot-title") + bars + axis
    return _svg(H_WIDTH, H_HEIGHT, f"Histogram of {title}", body, scorer=name, plot="histogram")


def _legend(languages: Sequence[str]) -> str:
    parts = []
    for i, language in enumerate(languages):
        x = B_LABEL + i * 70
        colour = LANGUAGE_COLOURS[i % len(LANGUAGE_COLOURS)]
        parts.append(f'<rect x="{x}" y="22" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 16, 32, language, anchor="start"))
    return f'<g class="legend">{"".join(parts)}</g>'


def _bar_group(row: int, name: str, languages: Sequence[str], means: Mapping[str, Mapping[str, float | None]]) -> str:
    top = B_TOP + row * (len(languages) * B_BAR + B_GAP)
    parts = [_text(B_LABEL - 8, top + len(languages) * B_BAR / 2 + 4, name, anchor="end")]
    for i, language in enumerate(languages):
        mean = means.get(language, {}).get(name)
        y, width = top + i * B_BAR, B_PLOT * (mean or 0.0)
        colour = LANGUAGE_COLOURS[i % len(LANGUAGE_COLOURS)]
        label = f"{name}, {language}: {number(mean)}"
        parts.append(
            f'<rect class="lang-bar" x="{B_LABEL}" y="{y}" width="{width:.1f}" height="{B_BAR - 1}" fill="{colour}" '
            f'data-group="{escape(language)}" data-scorer="{escape(name)}" data-mean="{number(mean)}">'
            f"<title>{escape(label)}</title></rect>"
        )
        parts.append(_text(B_LABEL + width + 4, y + B_BAR - 2, number(mean, 2), anchor="start", cls="value"))
    return "".join(parts)


def language_bars(names: Sequence[str], means: Mapping[str, Mapping[str, float | None]]) -> str:
    """A horizontal bar chart of each scorer's mean per language, one bar per language side by side.

    Args:
        names: Scorer names in report order ("overall" first).
        means: Language to {scorer name: mean}; a missing or None mean draws no bar and prints a dash.
    """
    languages = list(means)
    step = len(languages) * B_BAR + B_GAP
    height = B_TOP + len(names) * step + 24
    width = B_LABEL + B_PLOT + B_RIGHT
    groups = "".join(_bar_group(row, name, languages, means) for row, name in enumerate(names))
    axis = _x_axis(B_LABEL, B_PLOT, height - 24)
    body = _text(width / 2, 14, "Mean per scorer and language", cls="plot-title") + _legend(languages) + groups + axis
    label = f"Mean per scorer, {' vs '.join(languages) or 'no languages'}"
    return _svg(width, height, label, body, plot="languages")


def _ordered_groups(groups: Sequence[GroupSummary]) -> list[GroupSummary]:
    """'all' first, then the languages as the summary lists them, then the tags by name."""
    first = [g for g in groups if g.group == "all"]
    languages = [g for g in groups if is_language(g.group)]
    tags = sorted((g for g in groups if g.group.startswith("tag:")), key=lambda g: g.group)
    return first + languages + tags


def heatmap(groups: Sequence[GroupSummary], names: Sequence[str]) -> str:
    """A table of means: one row per group (with its case count), one red-to-green cell per scorer name."""
    rows = (
        f'<tr data-group="{escape(g.group)}"><th scope="row">{escape(g.group)}</th><td class="num">{g.cases}</td>'
        + "".join(cell(g.means.get(name)) for name in names)
        + "</tr>"
        for g in _ordered_groups(groups)
    )
    return table(["group", "cases", *names], rows)
