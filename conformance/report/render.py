"""The report formats by name, each a ``write(report, out)``, and the file name ``run`` gives each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TextIO

from conformance.report import html, junit, markdown
from conformance.report.json import write_json
from conformance.report.model import Report

Writer = Callable[[Report, TextIO], None]
RenderFormat = Literal["html", "md", "junit", "json"]
"""The formats a report is written in (``report render --format``; ``run`` writes them all)."""
DiffFormat = Literal["md", "json"]
"""The formats of ``report diff`` (``conformance.report.diff.write_markdown`` / ``write_json``)."""

WRITERS: dict[RenderFormat, Writer] = {"json": write_json, "html": html.write, "md": markdown.write, "junit": junit.write}
FILE_NAMES: dict[RenderFormat, str] = {
    "json": "report.json", "html": "report.html", "md": "report.md", "junit": "junit.xml",
}
