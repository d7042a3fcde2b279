"""The static HTML report: one self-contained file from a Jinja2 template (no network fetch).

The matrix (checks grouped by feature by cells grouped by region) is rendered by the template; the
drill-down reads the embedded JSON data and fills its panel with DOM text nodes only.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any, TextIO

import jinja2

from conformance.report._verdicts import COLOURS, SYMBOLS
from conformance.report.json import to_dict
from conformance.report.model import CellResult, Report, Verdict

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("conformance.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def write(report: Report, out: TextIO) -> None:
    """Write the report as one HTML page."""
    document = to_dict(report)
    order = sorted(range(len(report.cells)), key=lambda i: _column_key(report.cells[i]))
    columns = [report.cells[i] for i in order]
    regions = [(region, len(list(group))) for region, group in groupby(c.identity.get("region", "") for c in columns)]
    verdicts = {(i, r.check): r for i, c in enumerate(report.cells) for r in c.results}
    checks = sorted({r.check for c in report.cells for r in c.results})
    features = [(f, list(group)) for f, group in groupby(checks, key=lambda check: check.split(".", 1)[0])]
    levels = {r.check: r.level for c in report.cells for r in c.results}
    data: dict[str, Any] = {
        "cells": [{k: v for k, v in cell.items() if k != "results"} for cell in document["cells"]],
        "results": [{r["check"]: _slim(r) for r in cell["results"]} for cell in document["cells"]],
        "checks": document["checks"],
        "evidence": document["evidence"],
        "findings": {f["id"]: f for f in document["findings"]},
    }
    out.write(
        _ENV.get_template("report.html.j2").render(
            report=report, summary=report.summary, order=order, columns=columns, regions=regions,
            verdicts=verdicts, features=features, levels=levels, data=data, Verdict=Verdict,
            findings=document["findings"],
            symbols={v.value: s for v, s in SYMBOLS.items()}, colours={v.value: c for v, c in COLOURS.items()},
        )
    )


def _column_key(cell: CellResult) -> tuple[str, ...]:
    identity = cell.identity
    return identity.get("region", ""), identity.get("model", ""), identity.get("deployment", ""), cell.id


def _slim(result: dict[str, Any]) -> dict[str, Any]:
    return {k: result[k] for k in ("verdict", "level", "reason", "link", "evidence", "attempts", "duration_s", "findings")}
