"""Validate a report.json document against the published ``schemas/report.schema.json``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jsonschema
import orjson

from conformance.contract._schemas import schemas_dir


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = orjson.loads((schemas_dir() / "report.schema.json").read_bytes())
    return jsonschema.Draft202012Validator(schema)


def report_errors(document: Any) -> list[str]:
    """Every way the document breaks the report schema, one line each (empty when valid)."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]
