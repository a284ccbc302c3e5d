"""Small server-side SVG charts for the quality report: horizontal bars (one per school, target or state) and
a line over the years. Pure Python, no JavaScript, so that the web page and the PDF show the same charts.

Every chart takes ``items`` of ``{"label": str, "value": float | None, "text": str, "color": str}`` (a
``None`` value is drawn as 暂无数据, never as a zero bar) and returns an ``<svg>`` string whose texts are
escaped."""

from html import escape

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, WenQuanYi Micro Hei, sans-serif"
COLORS = {
    "green": "#198754",
    "amber": "#e0a800",
    "red": "#dc3545",
    "no_data": "#adb5bd",
    "monitored": "#6c757d",
    "primary": "#2f5d8a",
    "target": "#b02a37",
}
NO_DATA = "暂无数据"


def _num(value: float) -> str:
    """A coordinate with at most one decimal (stable text: the same data draws the same bytes)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _width_of(text: str, size: float) -> float:
    """The rough width of a label: CJK characters are square, others about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in text)


def _open(width: float, height: float, title: str) -> list[str]:
    label = escape(title or "chart")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="xqt-chart" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" role="img" aria-label="{label}" '
        f'font-family="{FONT}" font-size="12">',
        f"<title>{label}</title>",
    ]


def bar_chart(
    items: list[dict],
    *,
    title: str = "",
    target: float | None = None,
    target_text: str = "",
    maximum: float | None = None,
    width: int = 640,
    bar: int = 18,
    gap: int = 8,
) -> str:
    """Horizontal bars, one row per item, scaled to ``maximum`` (else the largest value or the target); a
    dashed vertical line marks the ``target``. An empty ``items`` draws a frame that says 暂无数据."""
    label_w = min(max([_width_of(str(i["label"]), 12) for i in items] + [48]) + 10, width * 0.4)
    value_w = 72
    plot_w = width - label_w - value_w
    top = 22 if title else 6
    height = top + max(len(items), 1) * (bar + gap) + (18 if target is not None else 6)
    values = [float(i["value"]) for i in items if i.get("value") is not None]
    top_value = max([*values, float(target or 0), float(maximum or 0)]) or 1.0
    out = _open(width, height, title)
    if title:
        out.append(f'<text x="0" y="14" font-weight="bold" font-size="13">{escape(title)}</text>')
    if not items:
        out.append(
            f'<text x="{_num(width / 2)}" y="{_num(top + 14)}" text-anchor="middle" '
            f'fill="#6c757d">{NO_DATA}</text>'
        )
    for n, item in enumerate(items):
        y = top + n * (bar + gap)
        mid = _num(y + bar / 2 + 4)
        out.append(
            f'<text x="{_num(label_w - 8)}" y="{mid}" text-anchor="end">{escape(str(item["label"]))}</text>'
        )
        value = item.get("value")
        if value is None:
            out.append(
                f'<rect x="{_num(label_w)}" y="{_num(y)}" width="{_num(plot_w)}" height="{bar}" fill="none" '
                f'stroke="#ced4da" stroke-dasharray="3 3"/>'
            )
            out.append(f'<text x="{_num(label_w + 6)}" y="{mid}" fill="#6c757d">{NO_DATA}</text>')
            continue
        length = max(plot_w * float(value) / top_value, 0)
        color = COLORS.get(item.get("color") or "primary", item.get("color") or COLORS["primary"])
        out.append(
            f'<rect x="{_num(label_w)}" y="{_num(y)}" width="{_num(length)}" height="{bar}" fill="{color}"/>'
        )
        text = escape(str(item.get("text") or _num(float(value))))
        out.append(f'<text x="{_num(label_w + length + 4)}" y="{mid}">{text}</text>')
    if target is not None:
        x = _num(label_w + plot_w * float(target) / top_value)
        out.append(
            f'<line x1="{x}" y1="{_num(top - 4)}" x2="{x}" y2="{_num(height - 14)}" '
            f'stroke="{COLORS["target"]}" '
            f'stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
        out.append(
            f'<text x="{x}" y="{_num(height - 2)}" text-anchor="middle" font-size="11" '
            f'fill="{COLORS["target"]}">{escape(target_text or "目标")}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def line_chart(
    items: list[dict],
    *,
    title: str = "",
    target: float | None = None,
    target_text: str = "",
    width: int = 640,
    height: int = 220,
) -> str:
    """A line over the items (years, left to right); a year without data leaves a gap in the line and says
    暂无数据 under its label; a dashed horizontal line marks the ``target``."""
    left, right, top, bottom = 48, 24, (28 if title else 12), 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(i["value"]) for i in items if i.get("value") is not None]
    top_value = max([*values, float(target or 0)]) * 1.15 or 1.0
    step = plot_w / max(len(items) - 1, 1)
    out = _open(width, height, title)
    if title:
        out.append(f'<text x="0" y="14" font-weight="bold" font-size="13">{escape(title)}</text>')
    base = top + plot_h
    out.append(
        f'<line x1="{left}" y1="{_num(base)}" x2="{_num(left + plot_w)}" y2="{_num(base)}" stroke="#adb5bd"/>'
    )

    def y_of(value: float) -> float:
        return base - plot_h * value / top_value

    if target is not None:
        y = _num(y_of(float(target)))
        out.append(
            f'<line x1="{left}" y1="{y}" x2="{_num(left + plot_w)}" y2="{y}" stroke="{COLORS["target"]}" '
            f'stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
        out.append(
            f'<text x="{_num(left + plot_w)}" y="{_num(y_of(float(target)) - 4)}" text-anchor="end" '
            f'font-size="11" fill="{COLORS["target"]}">{escape(target_text or "目标")}</text>'
        )
    segments: list[list[str]] = [[]]
    for n, item in enumerate(items):
        x = left + n * step if len(items) > 1 else left + plot_w / 2
        out.append(
            f'<text x="{_num(x)}" y="{_num(base + 16)}" text-anchor="middle">'
            f"{escape(str(item['label']))}</text>"
        )
        value = item.get("value")
        if value is None:
            segments.append([])
            out.append(
                f'<text x="{_num(x)}" y="{_num(base + 30)}" text-anchor="middle" font-size="10" '
                f'fill="#6c757d">{NO_DATA}</text>'
            )
            continue
        y = y_of(float(value))
        segments[-1].append(f"{_num(x)},{_num(y)}")
        out.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3.5" fill="{COLORS["primary"]}"/>')
        text = escape(str(item.get("text") or _num(float(value))))
        out.append(f'<text x="{_num(x)}" y="{_num(y - 8)}" text-anchor="middle">{text}</text>')
    for points in segments:
        if len(points) > 1:
            out.append(
                f'<polyline points="{" ".join(points)}" fill="none" '
                f'stroke="{COLORS["primary"]}" stroke-width="2"/>'
            )
    out.append("</svg>")
    return "".join(out)


def chart(spec: dict) -> str:
    """The SVG of a chart stored in the report's data: ``{"kind": "bar"|"line", "title", "items", "target",
    "target_text", "maximum"}``."""
    common = {
        "title": spec.get("title", ""),
        "target": spec.get("target"),
        "target_text": spec.get("target_text", ""),
    }
    if spec.get("kind") == "line":
        return line_chart(spec.get("items", []), **common)
    return bar_chart(spec.get("items", []), maximum=spec.get("maximum"), **common)
