"""report.json: write a Report with sorted keys, read one back (ReportError for a bad file).

Evidence is stored by reference: the wire logs form the top-level ``evidence`` list and each result's
``evidence`` is an index into it (``null`` when the verdict needs none). The violations seen on the way are the top-level
``findings`` (each root cause once, with the checks and cells that saw it); each result's ``findings`` lists
their IDs. Reports of every earlier format are read too (format 2: no findings; format 1: each result's
evidence inline, no checks catalogue).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

import orjson

from conformance.contract.violations import Finding
from conformance.report.model import READS, CellResult, CheckResult, Report, Verdict


class ReportError(ValueError):
    """A report file is unreadable: truncated, not JSON, or of another format version."""


def to_dict(report: Report) -> dict[str, Any]:
    """The JSON document of a report (cells flattened: identity keys beside ``results``)."""
    document = asdict(report)
    evidence: list[list[dict[str, Any]]] = []
    indexes: dict[int, int] = {}  # id(result) -> its evidence index
    document["cells"] = [
        {**c.identity, "results": [_result(r, evidence, indexes) for r in c.results]} for c in report.cells
    ]
    document["evidence"] = evidence
    document["findings"] = [
        {**f.finding.as_dict(), "id": f.id, "level": f.level, "spec": f.spec, "checks": f.checks, "cells": f.cells,
         "evidence": indexes.get(id(f.first))}
        for f in report.findings
    ]
    document["summary"] = report.summary
    return document


def write_json(report: Report, out: TextIO) -> None:
    """Write the report as indented JSON with sorted keys."""
    out.write(orjson.dumps(to_dict(report), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
    out.write("\n")


def read_json(path: str | Path) -> Report:
    """Read a report.json written by :func:`write_json`."""
    try:
        document = orjson.loads(Path(path).read_bytes())
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise ReportError(f"{path}: not a JSON document (truncated?): {exc}") from None
    if not isinstance(document, dict) or "format_version" not in document:
        raise ReportError(f"{path}: not a responses-conformance report (no format_version)")
    if document["format_version"] not in READS:
        raise ReportError(f"{path}: report format {document['format_version']!r}, this tool reads {', '.join(READS)}")
    try:
        evidence = list(document.get("evidence", []))
        findings = {f["id"]: _finding(f) for f in document.get("findings", [])}
        return Report(
            tool_version=document["tool_version"],
            started_at=document["started_at"],
            finished_at=document["finished_at"],
            mode=document["mode"],
            command=list(document["command"]),
            cells=[_cell(c, evidence, findings) for c in document["cells"]],
            cleanup_failures=list(document.get("cleanup_failures", [])),
            partial=bool(document.get("partial", False)),
            partial_reason=str(document.get("partial_reason", "")),
            checks={str(k): dict(v) for k, v in document.get("checks", {}).items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ReportError(f"{path}: malformed report: {type(exc).__name__}: {exc}") from None


def _result(result: CheckResult, evidence: list[list[dict[str, Any]]], indexes: dict[int, int]) -> dict[str, Any]:
    document = asdict(result)
    document["verdict"] = result.verdict.value
    document["feature"] = result.feature
    document["findings"] = [f.id for f in result.findings]
    document["evidence"] = None
    if result.evidence:
        document["evidence"] = indexes[id(result)] = len(evidence)
        evidence.append(result.evidence)
    return document


def _finding(document: dict[str, Any]) -> Finding:
    return Finding(
        rule=str(document["rule"]), where=str(document["where"]), pointer=str(document.get("pointer", "")),
        message=str(document.get("message", "")), expected=document.get("expected"), found=document.get("found"),
        strict=bool(document.get("strict", False)),
    )


def _cell(document: dict[str, Any], evidence: list[Any], findings: dict[str, Finding]) -> CellResult:
    identity = {k: str(v) for k, v in document.items() if k != "results"}
    results = [
        CheckResult(
            check=r["check"], verdict=Verdict(r["verdict"]), level=r["level"], reason=r["reason"],
            duration_s=float(r["duration_s"]), attempts=int(r["attempts"]),
            evidence=_evidence(r["evidence"], evidence),
            link=r.get("link"), requests=int(r.get("requests", 0)),
            findings=[findings[i] for i in r.get("findings", [])],
        )
        for r in document["results"]
    ]
    return CellResult(identity, results)


def _evidence(value: Any, evidence: list[Any]) -> list[dict[str, Any]]:
    """A result's wire log: an index into the report's list (format 2), or the log itself (format 1)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else list(evidence[int(value)])
