"""The report's SVG helpers: bars with a target line and 暂无数据 for missing values, a line over the years
with gaps, escaped labels, well-formed and deterministic output."""

import xml.etree.ElementTree as ET

from xiaoqitong.governance.report import svg

NS = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314  (our own SVG)


def texts(markup: str) -> list[str]:
    return [t.text for t in parse(markup).iter(f"{NS}text")]


def test_bar_chart_draws_a_bar_per_value_and_says_no_data_instead_of_zero():
    markup = svg.bar_chart(
        [
            {"label": "郴州职业技术学院", "value": 75.5, "text": "75.5%"},
            {"label": "安仁县职业学校", "value": None},
            {"label": "零", "value": 0, "text": "0.0%"},
        ],
        title="“双师型”教师比例",
        target=75,
        target_text="目标 ≥ 75%",
        maximum=100,
    )
    root = parse(markup)
    bars = [r for r in root.iter(f"{NS}rect") if r.get("fill") != "none"]
    assert len(bars) == 2  # the zero is a (zero-width) bar, the missing value is not
    assert "暂无数据" in texts(markup)
    assert "75.5%" in texts(markup) and "0.0%" in texts(markup)
    assert "目标 ≥ 75%" in texts(markup)
    assert len(list(root.iter(f"{NS}line"))) == 1
    assert root.get("role") == "img" and root.find(f"{NS}title").text == "“双师型”教师比例"


def test_bar_lengths_scale_to_the_maximum():
    root = parse(svg.bar_chart([{"label": "a", "value": 50}, {"label": "b", "value": 100}], maximum=100))
    widths = [float(r.get("width")) for r in root.iter(f"{NS}rect")]
    assert widths[1] == 2 * widths[0]


def test_labels_are_escaped():
    markup = svg.bar_chart([{"label": "<script>alert(1)</script>", "value": 1}], title="a & b")
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    parse(markup)  # still well-formed


def test_empty_bar_chart_says_no_data():
    assert "暂无数据" in texts(svg.bar_chart([], title="空"))


def test_line_chart_breaks_the_line_where_a_year_has_no_data():
    markup = svg.line_chart(
        [
            {"label": "2021", "value": 40.0, "text": "40.0%"},
            {"label": "2022", "value": 45.0, "text": "45.0%"},
            {"label": "2023", "value": None},
            {"label": "2024", "value": 50.0, "text": "50.0%"},
            {"label": "2025", "value": 55.0, "text": "55.0%"},
        ],
        title="T1",
        target=40,
        target_text="目标 ≥ 40%",
    )
    root = parse(markup)
    lines = list(root.iter(f"{NS}polyline"))
    assert [len(p.get("points").split()) for p in lines] == [2, 2]
    assert len(list(root.iter(f"{NS}circle"))) == 4
    assert "暂无数据" in texts(markup) and "目标 ≥ 40%" in texts(markup)


def test_charts_are_deterministic_and_dispatch_by_kind():
    spec = {"kind": "line", "title": "t", "items": [{"label": "2025", "value": 1.5}], "target": None}
    assert svg.chart(spec) == svg.chart(dict(spec))
    assert "<polyline" not in svg.chart(spec)  # one point: a dot, no line
    assert "<circle" in svg.chart(spec)
    assert "<rect" in svg.chart({"kind": "bar", "items": [{"label": "a", "value": 1}]})
