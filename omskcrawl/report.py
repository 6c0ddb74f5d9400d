"""`scrapy report`: one self-contained HTML page about the last runs, with plots.

Reads only what runs wrote: the run manifests (`<root>/runs/*.json`) and the
article dataset. Plots are inline SVG drawn here (no script, no CDN, no font
files), so the page opens anywhere, offline, and can be mailed as one file:
articles per day per source, field coverage per source over runs, failures per
site in the last run, duplicates per day, top tags, and the alarms.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from omskcrawl.dataset import load

PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
)
WIDTH, HEIGHT, PAD = 760, 260, 48


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def line_chart(
    title: str,
    xs: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    percent: bool = False,
) -> str:
    """Lines over shared x labels, one per series, with a legend; an SVG element.

    A None value (no data that run) leaves a gap instead of a fake zero.
    """
    top = max([max((x for x in v if x is not None), default=0) for v in series.values()] + [1e-9])
    top = 1.0 if percent else top
    plot_w, plot_h = WIDTH - 2 * PAD - 140, HEIGHT - 2 * PAD
    step = plot_w / max(len(xs) - 1, 1)
    parts = [_frame(title, top, percent)]
    for i, label in enumerate(xs):
        if len(xs) <= 12 or i % max(len(xs) // 12, 1) == 0:
            x = PAD + i * step
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - PAD + 16}" font-size="10" '
                f'text-anchor="middle">{_esc(label)}</text>'
            )
    for n, (name, values) in enumerate(sorted(series.items())):
        color = PALETTE[n % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(f"{PAD + i * step:.1f},{PAD + plot_h * (1 - v / top):.1f}")
        for points in runs:
            parts.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                f'points="{" ".join(points)}"/>'
            )
        for i, v in enumerate(values):
            if v is None:
                continue
            parts.append(
                f'<circle cx="{PAD + i * step:.1f}" cy="{PAD + plot_h * (1 - v / top):.1f}"'
                f' r="2.5" fill="{color}"/>'
            )
        y = PAD + 14 * n
        parts.append(
            f'<rect x="{WIDTH - 170}" y="{y - 8}" width="10" height="10" fill="{color}"/>'
            f'<text x="{WIDTH - 155}" y="{y + 1}" font-size="11">{_esc(name)}</text>'
        )
    return _svg(parts)


def bar_chart(title: str, bars: Sequence[tuple[str, float]], color: str = PALETTE[0]) -> str:
    """Horizontal bars, one per label, biggest first as given; an SVG element."""
    if not bars:
        return _svg(
            [
                _frame(title, 1, False, axes=False),
                f'<text x="{PAD}" y="{HEIGHT / 2}" font-size="13">no data</text>',
            ]
        )
    top = max(v for _, v in bars) or 1
    row = min(22.0, (HEIGHT - 2 * PAD) / len(bars))
    width = WIDTH - 2 * PAD - 200
    parts = [_frame(title, top, False, axes=False)]
    for i, (label, value) in enumerate(bars):
        y = PAD + i * row
        w = width * value / top
        parts.append(
            f'<text x="{PAD + 190}" y="{y + row * 0.7:.1f}" font-size="11" '
            f'text-anchor="end">{_esc(label)[:40]}</text>'
            f'<rect x="{PAD + 196}" y="{y + 2:.1f}" width="{w:.1f}" '
            f'height="{row - 4:.1f}" fill="{color}"/>'
            f'<text x="{PAD + 200 + w:.1f}" y="{y + row * 0.7:.1f}" '
            f'font-size="10">{value:g}</text>'
        )
    return _svg(parts)


def _frame(title: str, top: float, percent: bool, axes: bool = True) -> str:
    parts = [f'<text x="{PAD}" y="24" font-size="15" font-weight="bold">{_esc(title)}</text>']
    if axes:
        bottom = HEIGHT - PAD
        parts.append(
            f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{bottom}" stroke="#444"/>'
            f'<line x1="{PAD}" y1="{bottom}" x2="{WIDTH - 180}" y2="{bottom}" '
            'stroke="#444"/>'
        )
        label = "100%" if percent else f"{top:g}"
        parts.append(
            f'<text x="{PAD - 6}" y="{PAD + 4}" font-size="10" '
            f'text-anchor="end">{label}</text>'
            f'<text x="{PAD - 6}" y="{bottom}" font-size="10" text-anchor="end">0</text>'
        )
    return "".join(parts)


def _svg(parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">'
        f'<rect width="100%" height="100%" fill="#fff"/>{"".join(parts)}</svg>'
    )


def read_manifests(root: Path, runs: int) -> list[dict[str, Any]]:
    """The last `runs` run manifests, oldest first."""
    manifests = []
    for path in (root / "runs").glob("*.json"):
        try:
            manifests.append(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError):
            continue
    manifests = [m for m in manifests if "per_spider" in m]
    manifests.sort(key=lambda m: m.get("started_at", ""))
    return manifests[-runs:]


def render_report(root: Path, runs: int = 10) -> str:
    """The report page as one HTML string."""
    manifests = read_manifests(root, runs)
    df = load(root, latest_versions=False)
    charts = []
    if len(df):
        days = df["published_at"].dt.date.where(
            df["published_at"].notna(), df["crawled_at"].dt.date
        )
        counts = Counter(zip(days, df["source"], strict=True))
        xs = sorted({d for d, _ in counts})[-60:]
        sources = sorted({s for _, s in counts})
        charts.append(
            line_chart(
                "Articles per day per source (by publication date)",
                [d.isoformat() for d in xs],
                {s: [counts.get((d, s), 0) for d in xs] for s in sources},
            )
        )
        dup_days = Counter(
            d for d, dup in zip(days, df["duplicate_of"], strict=True) if isinstance(dup, str)
        )
        charts.append(
            bar_chart(
                "Same-story duplicates per day (last 14 days)",
                [(d.isoformat(), dup_days.get(d, 0)) for d in xs[-14:]],
                PALETTE[1],
            )
        )
        tags = Counter(t for keys in df["tag_keys"] if keys is not None for t in keys)
        charts.append(bar_chart("Top tags", tags.most_common(10), PALETTE[2]))
    labels = [m["run_id"][:15] for m in manifests]
    for field, title in (("date_share", "date"), ("body_share", "body"), ("tags_share", "tags")):
        series: dict[str, list[float | None]] = {}
        for i, manifest in enumerate(manifests):
            for site in manifest["per_spider"]:
                quality = site.get("quality") or {}
                values = series.setdefault(site["spider"], [None] * len(manifests))
                if quality.get("items"):  # no items this run: no share to show
                    values[i] = float(quality.get(field, 0.0))
        charts.append(
            line_chart(
                f"Share of items with a {title}, per source over runs", labels, series, percent=True
            )
        )
    last: dict[str, Any] = manifests[-1] if manifests else {"per_spider": [], "run_id": "-"}
    failures = sorted(
        (
            (
                s["spider"],
                sum((s.get("fetch_failures") or {}).values())
                + len(s.get("run_failures", []))
                + s["counts"].get("quarantined", 0),
            )
            for s in last["per_spider"]
        ),
        key=lambda p: -p[1],
    )
    charts.append(
        bar_chart(
            f"Failures per site in run {last['run_id']} "
            "(fetch failures + run failures + quarantined)",
            failures[:10],
            PALETTE[3],
        )
    )
    alarms = [a["message"] for m in manifests[-1:] for a in m.get("alarms", [])]
    failed = [s for m in manifests[-1:] for s in m.get("failed_spiders", [])]
    items = "".join(f"<li>{_esc(a)}</li>" for a in alarms) or "<li>none</li>"
    not_written = "".join(
        f"<li>{_esc(f['spider'])} ({_esc(f['cause'])}): {_esc(f['detail'])}</li>"
        for m in manifests[-1:]
        for f in m.get("run_failures", [])
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>omskcrawl report {date.today().isoformat()}</title>"
        "<style>body{font-family:sans-serif;margin:24px;background:#fafafa;color:#222}"
        "svg{display:block;margin:16px 0;border:1px solid #ddd}</style></head><body>"
        f"<h1>omskcrawl report</h1><p>{len(manifests)} runs, {len(df)} rows in "
        f"{_esc(root / 'articles')}; last run {_esc(last['run_id'])}; failed sites: "
        f"{_esc(', '.join(failed) or 'none')}.</p><h2>Alarms of the last run</h2>"
        f"<ul>{items}</ul>"
        + (f"<h2>Not written in the last run</h2><ul>{not_written}</ul>" if not_written else "")
        + "".join(charts)
        + failure_table(last)
        + "</body></html>"
    )


def failure_table(manifest: Mapping[str, Any]) -> str:
    """The last run's fetch failures per site, one row each, as an HTML table."""
    sites = manifest.get("per_spider", [])
    kinds = sorted({k for s in sites for k in (s.get("fetch_failures") or {})})
    if not kinds:
        return ""
    head = "".join(f"<th>{_esc(k)}</th>" for k in ("site", *kinds, "quarantined"))
    rows = "".join(
        "<tr>"
        + f"<td>{_esc(s['spider'])}{' (failed)' if s.get('failed') else ''}</td>"
        + "".join(f"<td>{(s.get('fetch_failures') or {}).get(k, 0)}</td>" for k in kinds)
        + f"<td>{s.get('counts', {}).get('quarantined', 0)}</td></tr>"
        for s in sites
    )
    return (
        "<h2>Fetch failures per site in the last run</h2>"
        '<table border="1" cellpadding="4" style="border-collapse:collapse;font-size:12px">'
        f"<tr>{head}</tr>{rows}</table>"
    )


def write_report(root: Path, out: Path, runs: int = 10) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name("." + out.name + ".tmp")
    tmp.write_text(render_report(root, runs), "utf-8")
    tmp.replace(out)
    return out
