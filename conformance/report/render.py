"""The report formats by name, each a ``write(report, out)``, and the file name ``run`` gives each."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from conformance.report import html, junit, markdown
from conformance.report.json import write_json
from conformance.report.model import Report

Writer = Callable[[Report, TextIO], None]

WRITERS: dict[str, Writer] = {"json": write_json, "html": html.write, "md": markdown.write, "junit": junit.write}
FILE_NAMES = {"json": "report.json", "html": "report.html", "md": "report.md", "junit": "junit.xml"}
