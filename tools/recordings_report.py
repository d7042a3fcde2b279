"""Developer aid: validate ../shared/reference/recordings directly and summarise violations.

python tools/recordings_report.py [--provider openai|azure] [--kind request|response|event|...] [--strict] [-v]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
from pathlib import Path

from conformance.contract.sse import parse_sse
from conformance.contract.validate import ContractValidator, detect_kind

RECORDINGS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "recordings"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--provider", choices=["openai", "azure"], action="append")
    ap.add_argument("--kind", action="append")
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("-v", "--verbose", action="count", default=0)
    ap.add_argument("--recordings", default=str(RECORDINGS))
    args = ap.parse_args()
    providers = args.provider or ["openai", "azure"]
    validators = {p: ContractValidator(p, strict=args.strict) for p in providers}
    counts: collections.Counter[tuple[str, str, str]] = collections.Counter()
    examples: dict[tuple[str, str, str], str] = {}
    objects = bad_objects = 0
    for path in sorted(Path(args.recordings).glob("*.json")):
        if path.name == "index.json":
            continue
        rec = json.loads(path.read_text(encoding="utf-8"))
        if rec["provider"] not in providers:
            continue
        v = validators[rec["provider"]]
        payloads = []
        if rec["request"].get("body") is not None and rec["request"]["method"] == "POST":
            payloads.append(("request", rec["request"]["body"]))
        resp = rec["response"]
        if "body" in resp and resp["body"] is not None:
            payloads.append((detect_kind(resp["body"]) or "?", resp["body"]))
        if "sse" in resp:
            for ev in parse_sse(resp["sse"]):
                if ev.data.strip() == "[DONE]":
                    continue
                try:
                    payloads.append(("event", json.loads(ev.data)))
                except json.JSONDecodeError:
                    payloads.append(("event", ev.data))
        for kind, obj in payloads:
            if args.kind and kind not in args.kind:
                continue
            objects += 1
            if kind == "?":
                counts[("?", "unknown-kind", "")] += 1
                bad_objects += 1
                continue
            if kind == "request" and rec["request"]["path"].split("?")[0].rstrip("/").endswith(("input_tokens", "compact", "cancel")):
                continue
            violations = v.validate(obj, kind)
            if violations:
                bad_objects += 1
            for viol in violations:
                ptr = re.sub(r"/\d+", "/N", viol.pointer)
                label = kind if kind != "event" else f"event:{obj.get('type') if isinstance(obj, dict) else '?'}"
                key = (label, viol.rule, ptr)
                counts[key] += 1
                examples.setdefault(key, f"{path.name}: {viol.message[:200]}")
    print(f"{objects} objects, {bad_objects} with violations")
    for key, n in counts.most_common():
        print(f"{n:6d}  {key[0]:45s} {key[1]:22s} {key[2]}")
        if args.verbose:
            print(f"          e.g. {examples[key]}")


if __name__ == "__main__":
    main()
