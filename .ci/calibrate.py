"""Calibrate the exchange rules on the shared real recordings: coverage per rule, and no unexplained disagreement.

Runs every exchange rule over every OpenAI and Azure session of the recordings (a session = the interactions
of one recorded test, in order), prints per rule how many real sessions exercised it (Azure and OpenAI apart)
and the total coverage (rule x session pairs exercised). Every disagreement must be listed in
tests/recordings/expected-disagreements.json; an unlisted one, or a listed one that no longer occurs, exits 1.

usage: python .ci/calibrate.py [RECORDINGS_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "recordings"))

from calibration import calibrate, table  # noqa: E402
from sessions import RECORDINGS  # noqa: E402


def main(argv: list[str]) -> int:
    recordings = Path(argv[0]) if argv else RECORDINGS
    if not recordings.is_dir():
        print(f"error: recordings folder not found: {recordings}", file=sys.stderr)
        return 2
    result = calibrate(recordings)
    for line in table(result):
        print(line)
    for problem in result.problems:
        print(f"  {problem}")
    return 1 if result.problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
