"""Validate every OpenAI and Azure interaction of the shared recordings with the `validate` command.

Each recording's request body, JSON response body and SSE stream is written to a scratch folder, then
`responses-conformance validate --json --profile <provider>` judges each folder (compat mode): create
request bodies with `--kind request`, non-2xx bodies with `--kind error`, resumed streams with
`--starting-after N`, everything else by content. Every invalid file must be listed, with the rules it
breaks and why, in tests/recordings/expected-deviations.json; a listed file that is now valid, or that
breaks other rules than listed, fails too (the list stays honest).

usage: python .ci/validate_recordings.py [RECORDINGS_DIR] [--summary]
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEVIATIONS = ROOT / "tests" / "recordings" / "expected-deviations.json"
DEFAULT_RECORDINGS = ROOT.parent / "shared" / "reference" / "recordings"


def _body(body: object) -> object:
    """The body of a recording: Ruby VCR wraps the raw text in {"encoding", "string"}; some recorders keep
    JSON (or an SSE transcript) as a string."""
    if isinstance(body, dict) and set(body) == {"encoding", "string"} and isinstance(body["string"], str):
        body = body["string"]
    if isinstance(body, str):
        try:
            return json.loads(body)
        except json.JSONDecodeError:
            return body
    return body


def split_streams(sse: str) -> list[str]:
    """One transcript per HTTP response: vercel/ai fixtures concatenate several streams in one file."""
    streams: list[list[str]] = [[]]
    for block in sse.split("\n\n"):
        starts = '"type":"response.created"' in block.replace(" ", "")
        if starts and any('"type":"response.created"' in b.replace(" ", "") for b in streams[-1]):
            streams.append([])
        streams[-1].append(block)
    return ["\n\n".join(blocks) for blocks in streams]


def extract(recordings: Path, out: Path) -> dict[tuple[str, str], list[str]]:
    """Write each openai/azure payload to out/<provider>/<group>/; return the validate options per folder."""
    folders: dict[tuple[str, str], list[str]] = {}

    def write(provider: str, group: str, options: list[str], name: str, text: str) -> None:
        folder = out / provider / group
        folder.mkdir(parents=True, exist_ok=True)
        folders[(provider, group)] = options
        (folder / name).write_text(text, encoding="utf-8")

    for path in sorted(recordings.glob("*.json")):
        if path.name == "index.json":
            continue
        rec = json.loads(path.read_text(encoding="utf-8"))
        provider = rec.get("provider")
        if provider not in ("openai", "azure"):
            continue
        stem = path.stem
        request, response = rec.get("request", {}), rec.get("response", {})
        url = urlsplit(request.get("path", ""))
        route = url.path.rstrip("/")
        if request.get("method") == "POST" and request.get("body") is not None and route.endswith("/responses"):
            write(provider, "request", ["--kind", "request"], f"{stem}.request.json", json.dumps(_body(request["body"])))
        body = _body(response.get("body"))
        sse = response.get("sse") if "sse" in response else body if isinstance(body, str) else None
        if sse is not None:
            after = parse_qs(url.query).get("starting_after")
            group, options = ("stream", ["--kind", "stream"])
            if after:
                group, options = f"resumed-{after[0]}", ["--kind", "stream", "--starting-after", after[0]]
            for index, transcript in enumerate(split_streams(sse)):
                suffix = f".part{index + 1}" if index else ""
                write(provider, group, options, f"{stem}{suffix}.sse", transcript)
        elif body is not None:
            status = response.get("status") or 200
            group, options = ("error", ["--kind", "error"]) if status >= 400 else ("json", [])
            write(provider, group, options, f"{stem}.response.json", json.dumps(body))
    return folders


def validate(folders: dict[tuple[str, str], list[str]], out: Path) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    for (provider, group), options in sorted(folders.items()):
        proc = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "validate", "--json", "--profile", provider, *options,
             str(out / provider / group)],
            capture_output=True, text=True, check=False,
        )
        if proc.returncode not in (0, 1, 2) or not proc.stdout:
            raise SystemExit(f"validate failed for {provider}/{group} (exit {proc.returncode}): {proc.stderr[-2000:]}")
        results += [json.loads(line) for line in proc.stdout.splitlines()]
    return results


def main(argv: list[str]) -> int:
    summary = "--summary" in argv
    args = [a for a in argv if a != "--summary"]
    recordings = Path(args[0]) if args else DEFAULT_RECORDINGS
    if not recordings.is_dir():
        print(f"error: recordings folder not found: {recordings}", file=sys.stderr)
        return 2
    expected = json.loads(DEVIATIONS.read_text(encoding="utf-8"))["deviations"]
    problems: list[str] = []
    invalid: set[str] = set()
    totals: collections.Counter[str] = collections.Counter()
    by_rule: collections.Counter[str] = collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        results = validate(extract(recordings, Path(tmp)), Path(tmp))
    for result in results:
        name = Path(str(result["file"])).name
        totals["files"] += 1
        totals["objects"] += int(result["objects"])  # type: ignore[call-overload]
        violations: list[dict[str, object]] = result.get("violations") or []  # type: ignore[assignment]
        if result["valid"]:
            totals["valid"] += 1
            continue
        invalid.add(name)
        rules = sorted({str(v["rule"]) for v in violations} or {"unreadable"})
        by_rule.update(rules)
        if name not in expected:
            first = violations[0] if violations else {"pointer": "", "message": result.get("error", "")}
            problems.append(f"{name}: invalid, not listed: {rules} e.g. {first.get('pointer', '')} {str(first['message'])[:160]}")
            continue
        listed = sorted(expected[name]["rules"])
        if listed != rules:
            problems.append(f"{name}: listed rules {listed} but found {rules}")
        totals["deviations"] += 1
    for name in sorted(set(expected) - invalid):
        problems.append(f"{name}: listed as a deviation but valid in this run (remove it from the list)")
    print(
        f"recordings: {totals['files']} files, {totals['objects']} objects; {totals['valid']} files valid, "
        f"{totals['deviations']} listed deviations, {len(problems)} problem(s)"
    )
    if summary:
        for rule, count in by_rule.most_common():
            print(f"  {count:5d} files break {rule}")
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
