"""The HTML report of an evaluation run: one self-contained page (inline CSS and SVG; no network, no fonts).

Sections, in order: config, summary, plots, comparison (only with a comparison), tags, worst, cases. Every string
that comes from a run (case text, replies, reasons, ids, tags, config values) is HTML-escaped here or in
`plots`; the page reads fully without its one small script, which only adds a tag filter to the cases.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from drafter.core.evaluation import CaseResult, RunConfig, RunSummary, ScorerSummary
from drafter.evaluation.plots import DASH, cell, heat, heatmap, histogram, is_language, language_bars, number, table

OVERALL = "overall"
WORST = 15
WEAKEST = 3

Section = tuple[str, str, str]  # id, heading, body (already HTML)

STYLE = """
:root{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC",sans-serif;line-height:1.45}
body{margin:0 auto;max-width:1200px;padding:0 1rem 3rem;color:#1d2330}
nav a{margin-right:.8rem}
table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #d5d9e0;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.wide{overflow-x:auto}
.plots{display:flex;flex-wrap:wrap;gap:.5rem}
svg{max-width:100%;height:auto;font-size:11px}
svg .plot-title{font-weight:600;font-size:12px}svg text{fill:#1d2330}
.regression{color:#b3261e;font-weight:600}.improvement{color:#1e7b34;font-weight:600}
details{border:1px solid #d5d9e0;border-radius:4px;margin:.4rem 0;padding:.3rem .6rem}
details[open]{background:#fafbfc}summary{cursor:pointer}:target{outline:2px solid #d9822b}
.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0}
.conversation{padding:0}.msg{list-style:none;margin:.3rem 0;padding:.3rem .5rem;border-left:3px solid #3b6fb6}
.msg.agent{border-color:#d9822b}.role{font-size:.8em;font-weight:600;text-transform:uppercase;color:#555}
.badge{font-size:.75em;padding:0 .3rem;border-radius:3px;background:#1e7b34;color:#fff}
.status-blocked{color:#b3261e}.status-needs_review{color:#9a6700}
"""

# Progressive enhancement: the filter is hidden until this script shows it.
SCRIPT = """
(function () {
  var select = document.getElementById("tag-filter");
  if (!select) return;
  select.closest("p").hidden = false;
  select.addEventListener("change", function () {
    document.querySelectorAll("#cases details").forEach(function (el) {
      el.hidden = select.value !== "" && JSON.parse(el.dataset.tags).indexOf(select.value) < 0;
    });
  });
})();
"""


@dataclass(frozen=True)
class Delta:
    """One scorer's change in one group between a base run and a head run, as the comparison computed it."""

    name: str
    group: str
    base: float | None
    head: float | None
    delta: float | None
    p_value: float | None
    cases: int
    regression: bool


def render_report(summary: RunSummary, rows: Sequence[CaseResult], *, comparison: Sequence[Delta] | None = None) -> str:
    """One self-contained HTML5 document describing a run, and its comparison with a base run when given."""
    scorers = _scorers(summary, rows)
    sections: list[Section | None] = [
        ("config", "Configuration", _config(summary)),
        ("summary", "Summary", _summary(scorers)),
        ("plots", "Plots", _plots(summary, scorers, rows)),
        ("comparison", "Comparison with the base run", _comparison(comparison)) if comparison is not None else None,
        ("tags", "By language and tag", _tags(summary)),
        ("worst", f"The {WORST} worst cases", _worst(rows)),
        ("cases", "Cases", _cases(rows)),
    ]
    return _document(summary.config, [s for s in sections if s is not None])


def _e(value: object) -> str:
    return escape(str(value))


def _anchor(case_id: str) -> str:
    """The element id of a case's drill-down (ids may not contain whitespace)."""
    return "case-" + re.sub(r"\s", "_", case_id)


def _link(case_id: str) -> str:
    anchor = _anchor(case_id)
    return f'<a href="#{escape(quote(anchor, safe=":"))}">{_e(case_id)}</a>'


def _document(config: RunConfig, sections: Sequence[Section]) -> str:
    title = f"Drafter evaluation — {config.dataset} v{config.dataset_version} — {config.started_at:%Y-%m-%d %H:%M}"
    nav = "".join(f'<a href="#{id_}">{_e(heading)}</a>' for id_, heading, _ in sections)
    body = "\n".join(
        f'<section id="{id_}">\n<h2>{_e(heading)}</h2>\n{html}\n</section>' for id_, heading, html in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(title)}</h1><nav>{nav}</nav></header>\n<main>\n{body}\n</main>\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _scorers(summary: RunSummary, rows: Sequence[CaseResult]) -> list[ScorerSummary]:
    """Every scorer of the run, with the overall score first (its counts taken from the rows)."""
    others = [s for s in summary.scorers if s.name != OVERALL]
    stated = next((s for s in summary.scorers if s.name == OVERALL), None)
    if stated is not None:
        return [stated, *others]
    values = _values(rows, OVERALL)
    mean = summary.mean(OVERALL)
    if mean is None and values:
        mean = statistics.fmean(values)
    passed = sum(v >= 1.0 for v in values)
    return [ScorerSummary(name=OVERALL, mean=mean, applicable=len(values), passed=passed), *others]


def _values(rows: Sequence[CaseResult], name: str) -> list[float]:
    found = (row.overall if name == OVERALL else row.score(name) for row in rows)
    return [value for value in found if value is not None]


def _config(summary: RunSummary) -> str:
    c = summary.config
    rate = f"{c.cases * c.repeat / summary.seconds:.2f}" if summary.seconds > 0 else DASH
    embedders = ", ".join(f"{role}: {name}" for role, name in sorted(c.embedders.items())) or DASH
    items = [
        ("dataset", f"{c.dataset} v{c.dataset_version}"),
        ("dataset sha256", c.dataset_sha256[:12]),
        ("cases", f"{c.cases}" + (f" × {c.repeat} repeats" if c.repeat > 1 else "")),
        ("kind", c.kind),
        ("model", c.model),
        ("judge", c.judge or DASH),
        ("prompt version", c.prompt_version),
        ("git sha", c.git_sha[:12] + (" (dirty)" if c.git_dirty else "")),
        ("started at", c.started_at.isoformat(timespec="seconds")),
        ("seconds", f"{summary.seconds:.1f}"),
        ("cases per second", rate),
        ("concurrency", str(c.concurrency)),
        ("embedders", embedders),
    ]
    rows = "".join(f'<tr><th scope="row">{_e(key)}</th><td>{_e(value)}</td></tr>' for key, value in items)
    return f"<table><tbody>{rows}</tbody></table>"


def _passed(scorer: ScorerSummary) -> str:
    if not scorer.applicable:
        return DASH
    return f"{scorer.passed / scorer.applicable:.0%} ({scorer.passed}/{scorer.applicable})"


def _summary(scorers: Sequence[ScorerSummary]) -> str:
    rows = (
        f'<tr data-scorer="{_e(s.name)}"><th scope="row">{_e(s.name)}</th>{cell(s.mean)}'
        f'<td class="num">{s.applicable}</td><td class="num">{_passed(s)}</td></tr>'
        for s in scorers
    )
    note = "<p>Passed = cases scoring 1.0, as a share of the cases the scorer applies to.</p>"
    return table(["scorer", "mean", "applicable", "passed"], rows) + note


def _plots(summary: RunSummary, scorers: Sequence[ScorerSummary], rows: Sequence[CaseResult]) -> str:
    histograms = "".join(histogram(s.name, _values(rows, s.name), s.mean) for s in scorers)
    languages = {g.group: g.means for g in summary.groups if is_language(g.group)}
    chart = language_bars([s.name for s in scorers], languages)
    return f'<div class="plots">{histograms}</div>\n<div class="wide">{chart}</div>'


def _p_value(value: float | None) -> str:
    if value is None:
        return DASH
    return "&lt;0.001" if value < 0.001 else f"{value:.3f}"


def _delta_cell(d: Delta) -> str:
    if d.delta is None:
        return f'<td class="num">{DASH}</td>'
    cls, mark = ("regression", " ▼ regression") if d.regression else ("", "")
    if not d.regression and d.delta > 0:
        cls, mark = "improvement", " ▲"
    return f'<td class="num {cls}">{d.delta:+.3f}{mark}</td>'


def _comparison(deltas: Sequence[Delta]) -> str:
    if not deltas:
        return "<p>No scores to compare.</p>"
    rows = (
        f'<tr data-scorer="{_e(d.name)}" data-group="{_e(d.group)}"><th scope="row">{_e(d.name)}</th>'
        f'<td>{_e(d.group)}</td><td class="num">{d.cases}</td>{cell(d.base, coloured=False)}'
        f'{cell(d.head, coloured=False)}{_delta_cell(d)}<td class="num">{_p_value(d.p_value)}</td></tr>'
        for d in deltas
    )
    return table(["scorer", "group", "cases", "base", "head", "delta", "p-value"], rows)


def _tags(summary: RunSummary) -> str:
    return heatmap(summary.groups, [OVERALL, *(s.name for s in summary.scorers if s.name != OVERALL)])


def _weakest(row: CaseResult) -> str:
    below = sorted((s for s in row.scores if s.value is not None and s.value < 1.0), key=lambda s: (s.value, s.name))
    return ", ".join(f"{s.name} {number(s.value, 2)}" for s in below[:WEAKEST]) or DASH


def _worst(rows: Sequence[CaseResult]) -> str:
    scored = [row for row in rows if row.overall is not None]
    ranked = sorted(scored, key=lambda row: (row.overall or 0.0, row.id))[:WORST]
    if not ranked:
        return "<p>No case has an overall score.</p>"
    lines = (
        f'<tr><td class="num">{rank}</td><td>{_link(row.id)}</td><td>{_e(row.language)}</td>'
        f"<td>{_e(', '.join(row.tags))}</td>{cell(row.overall)}<td>{_e(row.status)}</td>"
        f"<td>{_e(_weakest(row))}</td></tr>"
        for rank, row in enumerate(ranked, start=1)
    )
    return table(["#", "case", "language", "tags", "overall", "status", "weakest scores"], lines)


def _cases(rows: Sequence[CaseResult]) -> str:
    tags = sorted({tag for row in rows for tag in row.tags})
    options = "".join(f'<option value="{_e(tag)}">{_e(tag)}</option>' for tag in tags)
    chooser = f'<p hidden><label>Show cases tagged <select id="tag-filter"><option value="">(any)</option>{options}'
    return chooser + "</select></label></p>\n" + "\n".join(_case(row) for row in rows)


def _case(row: CaseResult) -> str:
    style = heat(row.overall)
    line = (
        f"<summary><strong>{_e(row.id)}</strong> · {_e(', '.join(row.tags) or DASH)} · overall "
        f'<span style="{style}">{number(row.overall)}</span> · '
        f'<span class="status-{_e(row.status)}">{_e(row.status)}</span></summary>'
    )
    reference = _block("Reference", row.reference, row.language) if row.reference is not None else ""
    body = (
        _facts(row)
        + _conversation(row)
        + _block("Response", row.response, row.language)
        + reference
        + _contexts(row)
        + _findings(row)
        + _scores_table(row)
    )
    tags = _e(json.dumps(row.tags))
    return f'<details id="{_e(_anchor(row.id))}" data-tags="{tags}">{line}{body}</details>'


def _facts(row: CaseResult) -> str:
    items = [
        ("language", row.language),
        ("intent", row.intent),
        ("escalation", ", ".join(row.escalation) or DASH),
        ("drafting time", f"{row.ms:.0f} ms"),
    ]
    return "<p>" + " · ".join(f"{_e(key)}: <strong>{_e(value)}</strong>" for key, value in items) + "</p>"


def _conversation(row: CaseResult) -> str:
    messages = "".join(
        f'<li class="msg {_e(m.role)}"><span class="role">{_e(m.role)}</span>'
        f'<div class="text" lang="{_e(row.language)}">{_e(m.text)}</div></li>'
        for m in row.user_input
    )
    return f'<h3>Conversation</h3><ol class="conversation">{messages}</ol>'


def _block(heading: str, text: str, language: str) -> str:
    return f'<h3>{_e(heading)}</h3><div class="text" lang="{_e(language)}">{_e(text)}</div>'


def _contexts(row: CaseResult) -> str:
    cited = set(row.cited_ids)
    items = "".join(
        f"<li><code>{_e(entry)}</code>" + (' <span class="badge">cited</span>' if entry in cited else "") + "</li>"
        for entry in row.retrieved_contexts
    )
    listed = f"<ol>{items}</ol>" if items else "<p>Nothing retrieved.</p>"
    stray = [entry for entry in row.cited_ids if entry not in set(row.retrieved_contexts)]
    extra = f"<p>Cited but not retrieved: {_e(', '.join(stray))}</p>" if stray else ""
    return f"<h3>Retrieved contexts</h3>{listed}{extra}"


def _findings(row: CaseResult) -> str:
    if not row.findings:
        return "<h3>Findings</h3><p>No findings.</p>"
    return "<h3>Findings</h3><ul>" + "".join(f"<li>{_e(f)}</li>" for f in row.findings) + "</ul>"


def _scores_table(row: CaseResult) -> str:
    lines = (
        f'<tr data-scorer="{_e(s.name)}"><th scope="row">{_e(s.name)}</th>{cell(s.value)}<td>{_e(s.reason)}</td></tr>'
        for s in row.scores
    )
    return "<h3>Scores</h3>" + table(["scorer", "value", "reason"], lines)
