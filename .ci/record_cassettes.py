"""Re-record the shipped cassettes: the whole suite against the embedded reference servers (both flavours).

Writes cassettes/reference/<region>/<deployment>@<style>/<check-id>.yaml and cassettes/reference/verdicts.json
(the verdict of every check in every cell, which the replay test compares with). The fuzz.* checks are left
out: hypothesis generates other requests in another process, so they cannot be replayed. Usage:
python .ci/record_cassettes.py
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from conformance.checks import registry
from conformance.run.launch import run_and_report
from conformance.run.options import RunOptions
from conformance.run.runner import load_checks

ROOT = Path(__file__).resolve().parent.parent / "cassettes" / "reference"


def main() -> int:
    shutil.rmtree(ROOT, ignore_errors=True)
    problems: list[str] = []
    load_checks()
    replayable = sorted(check for check in registry() if not check.startswith("fuzz."))
    with tempfile.TemporaryDirectory() as out:
        report, _ = run_and_report(RunOptions(mode="record", cassettes=ROOT, out=Path(out), only=replayable), problems=problems)
    verdicts = {c.id: {r.check: r.verdict.value for r in c.results} for c in report.cells}
    (ROOT / "verdicts.json").write_text(json.dumps(verdicts, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    files = list(ROOT.rglob("*.yaml"))
    size = sum(f.stat().st_size for f in files)
    print(f"recorded {len(files)} cassettes ({size / 1e6:.1f} MB) into {ROOT}")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 2 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
