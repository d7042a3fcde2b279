"""Legal variations: behaviour real servers show that the contract allows, switchable on the reference server.

A variation wraps the app in ASGI middleware (its ``wrap``); every check must judge a server showing it as
it judges the faithful server. Each names its source (a recording, a spec section or a public issue) and the
check-ID globs it can affect, which the self-test runs against it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

Wrap = Callable[[ASGIApp], ASGIApp]

# Where a variation sits, from the app outwards: what the server says, how events are framed, how lines end,
# how bodies are encoded, how they are cut into chunks, and whether the request is admitted at all.
PAYLOAD, FRAMING, LINE_ENDS, ENCODING, CHUNKING, ADMISSION = 10, 20, 30, 40, 50, 60

_PREFIX = re.compile(r"^(/openai/v1|/openai|/v1)(?=/)")
_APIS = ("/responses", "/files")  # the traffic variations change: the Responses API and its Files API


def route_of(path: str) -> str:
    """The path without its URL-style prefix (``/openai/v1/responses`` -> ``/responses``)."""
    return _PREFIX.sub("", path)


def is_api(path: str) -> bool:
    """Whether ``path`` is Responses or Files API traffic."""
    return any(api in path for api in _APIS)


@dataclass(frozen=True)
class LegalVariation:
    """A switchable legal behaviour: its name, the sentence saying what it does, where it is seen, the checks
    it can affect (ID globs), the middleware that shows it and the flavours it is judged on.

    ``strict_differs``: it adds fields a strict profile does not declare (``passed`` may read ``non_strict``).
    ``pending``: why the current checks cannot accept it yet (the self-test lists it instead of judging it).
    """

    name: str
    description: str
    source: str
    affects: tuple[str, ...]
    wrap: Wrap
    layer: int
    flavors: tuple[str, ...] = ("azure", "openai")
    strict_differs: bool = False
    pending: str | None = None


VARIATIONS: dict[str, LegalVariation] = {}


def variation(
    name: str,
    description: str,
    *,
    source: str,
    affects: tuple[str, ...],
    wrap: Wrap,
    layer: int,
    flavors: tuple[str, ...] = ("azure", "openai"),
    strict_differs: bool = False,
    pending: str | None = None,
) -> LegalVariation:
    """Register a legal variation; a name registered twice, no source, no affected check or an unknown
    flavour raises ValueError."""
    if name in VARIATIONS:
        raise ValueError(f"legal variation {name!r} is registered twice")
    if not source or not affects:
        raise ValueError(f"legal variation {name!r} needs a source and the checks it can affect")
    if not flavors or set(flavors) - {"azure", "openai"}:
        raise ValueError(f"legal variation {name!r}: unknown flavour in {flavors!r}")
    found = LegalVariation(name, description, source, affects, wrap, layer, flavors, strict_differs, pending)
    VARIATIONS[name] = found
    return found


def unknown_variations(names: list[str] | tuple[str, ...]) -> list[str]:
    """The names among ``names`` that are not registered legal variations."""
    return [n for n in names if n not in VARIATIONS]


class VaryingMiddleware:
    """ASGI middleware showing the named legal variations, each wrapped at its layer (payload innermost)."""

    def __init__(self, app: ASGIApp, names: list[str]) -> None:
        unknown = unknown_variations(names)
        if unknown:
            raise ValueError(f"unknown legal variation(s): {', '.join(unknown)}")
        chosen = sorted((VARIATIONS[n] for n in dict.fromkeys(names)), key=lambda v: (v.layer, v.name))
        for found in chosen:
            app = found.wrap(app)
        self.app = app
        self.names = tuple(v.name for v in chosen)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
