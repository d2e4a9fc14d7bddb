"""Server-side SVG charts for the quality dashboard: no JavaScript, no chart library, no CDN.

Each chart is a self-contained <svg role="img"> with a <title> and a <desc> that says in words what the
picture shows (for screen readers); every text is escaped. Colours are the residents' page palette and
pass WCAG contrast on white.
"""
from __future__ import annotations

from html import escape
from typing import Sequence

PALETTE = ["#0b4f8a", "#c05621", "#2f855a", "#6b46c1", "#b7791f", "#2c7a7b", "#9b2c2c", "#4a5568"]
FONT = 'font-family="system-ui, Noto Sans CJK SC, sans-serif"'
W = 640


def _svg(title: str, desc: str, height: int, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="100%" role="img" '
            f'aria-labelledby="t d" {FONT} font-size="13">'
            f'<title id="t">{escape(title)}</title><desc id="d">{escape(desc)}</desc>'
            f'<rect width="{W}" height="{height}" fill="#fff"/>' + "".join(body) + "</svg>")


def _empty(title: str, note: str) -> str:
    return _svg(title, note, 80, [f'<text x="16" y="44" fill="#52606d">{escape(note)}</text>'])


def hbars(title: str, items: Sequence[tuple[str, float, str]], empty: str = "暂无数据") -> str:
    """Horizontal bars: (label, value, value text)."""
    if not items:
        return _empty(title, empty)
    top = max(v for _, v, _ in items) or 1
    row, left, right = 28, 190, 90
    body = []
    for i, (label, value, text) in enumerate(items):
        y = 12 + i * row
        width = max(2, (W - left - right) * value / top)
        short = label if len(label) <= 14 else label[:13] + "…"
        body.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" fill="#1c2530">{escape(short)}</text>'
                    f'<rect x="{left}" y="{y + 4}" width="{width:.1f}" height="18" rx="3" fill="{PALETTE[0]}"/>'
                    f'<text x="{left + width + 6:.1f}" y="{y + 17}" fill="#1c2530">{escape(text)}</text>')
    desc = "；".join(f"{label}：{text}" for label, _, text in items)
    return _svg(title, desc, 24 + row * len(items), body)


def columns(title: str, labels: Sequence[str], values: Sequence[float], texts: Sequence[str],
            y_max: float | None = None, empty: str = "暂无数据") -> str:
    """Vertical columns over time (e.g. the unanswered share per day)."""
    if not labels:
        return _empty(title, empty)
    top = y_max or max(values) or 1
    h, base, left = 220, 180, 40
    step = (W - left - 20) / len(labels)
    body = [f'<line x1="{left}" y1="{base}" x2="{W - 10}" y2="{base}" stroke="#52606d"/>']
    for i, (label, value, text) in enumerate(zip(labels, values, texts)):
        x = left + i * step
        height = (base - 30) * min(value, top) / top
        body.append(f'<rect x="{x + step * 0.15:.1f}" y="{base - height:.1f}" width="{step * 0.7:.1f}" '
                    f'height="{max(height, 1):.1f}" fill="{PALETTE[1]}"/>')
        if text:
            body.append(f'<text x="{x + step / 2:.1f}" y="{base - height - 4:.1f}" text-anchor="middle" '
                        f'font-size="11" fill="#1c2530">{escape(text)}</text>')
        if len(labels) <= 16 or i % max(1, len(labels) // 8) == 0:
            body.append(f'<text x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle" font-size="11" '
                        f'fill="#52606d">{escape(label[5:] if len(label) == 10 else label)}</text>')
    desc = "；".join(f"{label}：{text or '无'}" for label, text in zip(labels, texts))
    return _svg(title, desc, h, body)


def stacked(title: str, rows: Sequence[tuple[str, dict[str, float]]], categories: Sequence[tuple[str, str]],
            empty: str = "暂无数据") -> str:
    """One horizontal 100% bar per row, split by category (key, Chinese label); with a legend."""
    rows = [(label, parts) for label, parts in rows if sum(parts.values()) > 0]
    if not rows:
        return _empty(title, empty)
    row, left, right = 30, 190, 20
    body = []
    for i, (label, parts) in enumerate(rows):
        y = 40 + i * row
        total = sum(parts.values())
        x = float(left)
        short = label if len(label) <= 14 else label[:13] + "…"
        body.append(f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" fill="#1c2530">{escape(short)}</text>')
        for j, (key, _) in enumerate(categories):
            part = parts.get(key, 0)
            if not part:
                continue
            width = (W - left - right) * part / total
            body.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{width:.1f}" height="20" '
                        f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(f"{label} {key} {part:g}")}</title></rect>')
            if width > 26:
                body.append(f'<text x="{x + width / 2:.1f}" y="{y + 16}" text-anchor="middle" fill="#fff" '
                            f'font-size="11">{part:g}</text>')
            x += width
    lx = 16
    for j, (_, name) in enumerate(categories):
        body.append(f'<rect x="{lx}" y="10" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>'
                    f'<text x="{lx + 16}" y="21" font-size="12" fill="#1c2530">{escape(name)}</text>')
        lx += 28 + 13 * len(name)
    desc = "；".join(f"{label}：" + "，".join(f"{name}{parts.get(k, 0):g}" for k, name in categories)
                    for label, parts in rows)
    return _svg(title, desc, 50 + row * len(rows), body)


def heatmap(title: str, labels: Sequence[str], matrix: Sequence[Sequence[int]], empty: str = "暂无数据") -> str:
    """A confusion matrix: rows are the true intents, columns the predicted ones."""
    if not labels:
        return _empty(title, empty)
    n = len(labels)
    left, top = 170, 150
    cell = max(10, min(28, (W - left - 10) // n))
    body = []
    top_value = max((max(r) for r in matrix), default=1) or 1
    for i, label in enumerate(labels):
        short = label if len(label) <= 22 else label[:21] + "…"
        body.append(f'<text x="{left - 6}" y="{top + i * cell + cell * 0.7:.1f}" text-anchor="end" '
                    f'font-size="11" fill="#1c2530">{escape(short)}</text>')
        body.append(f'<text transform="translate({left + i * cell + cell * 0.7:.1f},{top - 6}) rotate(-60)" '
                    f'font-size="11" fill="#1c2530">{escape(short)}</text>')
        for j, value in enumerate(matrix[i]):
            if not value:
                continue
            shade = 0.15 + 0.85 * (value / top_value) ** 0.5
            colour = PALETTE[0] if i == j else PALETTE[6]
            body.append(f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell - 1}" height="{cell - 1}" '
                        f'fill="{colour}" fill-opacity="{shade:.2f}"><title>{escape(f"{label} → {labels[j]}：{value}")}'
                        f'</title></rect>')
    errors = [(labels[i], labels[j], matrix[i][j]) for i in range(n) for j in range(n) if i != j and matrix[i][j]]
    errors.sort(key=lambda e: -e[2])
    desc = f"{n} 个意图。主要混淆：" + ("；".join(f"{a} 被识别为 {b} {v} 次" for a, b, v in errors[:10]) or "无")
    return _svg(title, desc, top + n * cell + 10, body)


def lines(title: str, xs: Sequence[str], series: dict[str, Sequence[float | None]], y_max: float = 1.0,
          empty: str = "暂无数据") -> str:
    """Line per series over versions (e.g. recall on the golden and blind sets)."""
    if not xs or not series:
        return _empty(title, empty)
    left, base, h = 50, 200, 250
    step = (W - left - 40) / max(1, len(xs) - 1) if len(xs) > 1 else 0
    body = [f'<line x1="{left}" y1="{base}" x2="{W - 20}" y2="{base}" stroke="#52606d"/>']
    for k in (0.0, 0.5, 1.0):
        y = base - 160 * k / y_max
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#52606d">{k:g}</text>'
                    f'<line x1="{left}" y1="{y:.1f}" x2="{W - 20}" y2="{y:.1f}" stroke="#c9d3dd" stroke-dasharray="3 3"/>')
    for i, x in enumerate(xs):
        short = x if len(x) <= 18 else x[:17] + "…"
        body.append(f'<text x="{left + i * step + (W - left) / 2 * (len(xs) == 1):.1f}" y="{base + 16}" '
                    f'text-anchor="middle" font-size="10" fill="#52606d">{escape(short)}</text>')
    for j, (name, values) in enumerate(series.items()):
        colour = PALETTE[j % len(PALETTE)]
        pts = [(left + i * step + (W - left) / 2 * (len(xs) == 1), base - 160 * v / y_max)
               for i, v in enumerate(values) if v is not None]
        if len(pts) > 1:
            body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="'
                        + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
        for (x, y), v in zip(pts, [v for v in values if v is not None]):
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
                        f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="11" fill="{colour}">{v:.2f}</text>')
        body.append(f'<rect x="{left + j * 150}" y="{h - 22}" width="12" height="12" fill="{colour}"/>'
                    f'<text x="{left + j * 150 + 16}" y="{h - 12}" font-size="12" fill="#1c2530">{escape(name)}</text>')
    desc = "；".join(f"{name}：" + "，".join(f"{x} {v:.2f}" for x, v in zip(xs, values) if v is not None)
                    for name, values in series.items())
    return _svg(title, desc, h, body)
