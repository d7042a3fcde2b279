"""Schema-driven requests for the fuzz checks: schemathesis strategies over ``schemas/openapi.json``.

Generated bodies are shaped (the cell's model, a small ``max_output_tokens``, no stream, no background, no
MCP server to call) and kept only when the cell's compat validator still agrees they are valid (positive)
or invalid (negative). A bounded hypothesis run hunts for a failing body and shrinks it.
"""

from __future__ import annotations

import functools
import shlex
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import schemathesis
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from schemathesis.core.errors import InvalidSchema
from schemathesis.generation import GenerationMode

from conformance.checks._check import HarnessError
from conformance.client import ApiKeyAuth, BudgetExhausted, ResponsesClient, redact_url
from conformance.contract._schemas import schemas_dir
from conformance.contract.validate import ContractValidator

OUTPUT_TOKENS = 16  # forced on every generated request
EXAMPLES = 20  # generated requests per check before shrinking
SHRINK_REQUESTS = 60  # requests the shrinker may spend on a failure
FORCED_FALSE = ("stream", "background")
AUTH_HEADERS = {"api-key": "-", "authorization": "-"}


@functools.lru_cache(maxsize=1)
def _operation() -> Any:
    document = orjson.loads((schemas_dir() / "openapi.json").read_bytes())
    schema = schemathesis.openapi.from_dict(document)
    schema.config.generation.update(allow_x00=False)
    return schema["/responses"]["POST"]


def _encodable(body: Any) -> bool:
    try:
        orjson.dumps(body)
    except TypeError:  # lone surrogates cannot go on the wire as UTF-8
        return False
    return True


def shape(body: Any, model: str) -> Any:
    """Force what keeps a generated request cheap and local; leave any other value as generated."""
    if not isinstance(body, dict):
        return body
    out = dict(body)
    if model and (out.get("model") is None or isinstance(out.get("model"), str)):
        out["model"] = model
    if out.get("max_output_tokens") is None or type(out.get("max_output_tokens")) is int:
        out["max_output_tokens"] = OUTPUT_TOKENS
    for name in FORCED_FALSE:
        if out.get(name) is None or isinstance(out.get(name), bool):
            out[name] = False
    if isinstance(out.get("tools"), list):  # an MCP tool would make the target call out to a generated URL
        out["tools"] = [t for t in out["tools"] if not (isinstance(t, dict) and t.get("type") == "mcp")]
    return out


def create_bodies(profile: str, model: str, *, valid: bool, store: bool | None = None) -> st.SearchStrategy[Any]:
    """Create-request bodies the ``profile``'s compat validator finds ``valid`` (or invalid), shaped."""
    validator = ContractValidator(profile)
    mode = GenerationMode.POSITIVE if valid else GenerationMode.NEGATIVE

    def finish(case: Any) -> Any:
        body = shape(case.body, model)
        if store is not None and isinstance(body, dict):
            body["store"] = store
        return body

    def keep(body: Any) -> bool:
        return _encodable(body) and (not validator.validate(body, "request")) is valid

    # Fixed auth headers keep negative data in the body (the cases' headers are never sent).
    cases: st.SearchStrategy[Any] = _operation().as_strategy(generation_mode=mode, headers=AUTH_HEADERS)

    @st.composite
    def bodies(draw: st.DrawFn) -> Any:
        try:
            case = draw(cases)
        except InvalidSchema:  # a mutation schemathesis cannot build for one keyword: try another one
            reject()
        return finish(case)

    generated = bodies()
    if valid:  # half the bodies carry metadata: Hypothesis's examples hang on the constants of every loaded
        # module, and twenty bare ones may set no optional parameter at all (a mutant survived that way)
        generated = st.one_of(generated, generated.map(_with_metadata))
    return generated.filter(keep)


def _with_metadata(body: Any) -> Any:
    return {**body, "metadata": {"suite": "fuzz"}} if isinstance(body, dict) else body


@dataclass(frozen=True)
class Finding:
    """The smallest failing body found and what was wrong with it."""

    body: Any
    problem: str


class _Found(Exception):
    pass


# Hypothesis runs in two cell threads at once reported FlakyFailure: one hunt at a time, across cells.
_ONE_AT_A_TIME = threading.Lock()


def hunt(strategy: st.SearchStrategy[Any], probe: Callable[[Any], str | None], *, examples: int = EXAMPLES) -> Finding | None:
    """Feed generated bodies to ``probe`` (a problem, or None) and shrink the first failure, within a request cap."""
    findings: list[Finding] = []
    spent: list[BudgetExhausted] = []
    sent = [0]

    def attempt(body: Any) -> None:
        if spent or sent[0] >= examples + SHRINK_REQUESTS:
            return  # out of requests: every later example passes, so the shrinker stops improving
        sent[0] += 1
        try:
            problem = probe(body)
        except BudgetExhausted as exc:
            spent.append(exc)
            return
        if problem is not None:
            findings.append(Finding(body, problem))
            raise _Found

    run = settings(
        max_examples=examples, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink], report_multiple_bugs=False,
    )(given(strategy)(attempt))
    try:
        with _ONE_AT_A_TIME:
            run()
    except _Found:
        pass
    except HypothesisException as exc:
        if not findings:
            raise HarnessError(f"no request could be generated: {type(exc).__name__}") from None
    if findings:
        return min(findings, key=lambda f: len(orjson.dumps(f.body)))
    if spent:
        raise spent[0]
    return None


def curl(client: ResponsesClient, method: str, path: str, body: Any = None) -> str:
    """A curl line that replays one request, credentials left as environment variables."""
    url = redact_url(str(httpx.URL(client.target.url(path), params=client.target.params(path))))
    parts = ["curl", "-X", method, shlex.quote(url)]
    if isinstance(client.target.auth, ApiKeyAuth):
        parts += ["-H", f'"{client.target.auth.header}: $API_KEY"']
    elif client.target.auth is not None:
        parts += ["-H", '"Authorization: Bearer $TOKEN"']
    if body is not None:
        data = orjson.dumps(body).decode()
        parts += ["-H", "'Content-Type: application/json'", "-d", shlex.quote(data)]
    return client.secrets.scrub(" ".join(parts))
