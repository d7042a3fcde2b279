"""Numbered ``keepalive`` events in streams, as OpenAI sends them on long streams; they take part in the
numbering.

A keepalive follows every ``EVERY``-th event of the server's stream (never a terminal one), so the server's
event ``s`` is numbered ``s + s // EVERY``. The mapping needs no memory: a resume's ``starting_after`` is
mapped back to the server's numbering, and a keepalive the client has not seen yet is sent first.
"""

from __future__ import annotations

from conformance.reference.variations._base import PAYLOAD, variation
from conformance.reference.variations._rewrite import Call, Event, Rewrite, events

EVERY = 2  # the first keepalive is sequence_number 2, right after response.in_progress, as in openai-java#767
_LAST = ("response.completed", "response.incomplete", "response.failed", "error")


def keepalive(seq: int) -> Event:
    return {"type": "keepalive", "sequence_number": seq}


def outward(seq: int) -> int:
    """The number the client sees for the server's event ``seq``."""
    return seq + seq // EVERY


def _resume(call: Call) -> None:
    """Map ``starting_after`` to the server's numbering; note a keepalive still owed to the client."""
    given = call.query.get("starting_after")
    if given is None or not given.lstrip("-").isdigit() or int(given) < 0:
        return
    rounds, rest = divmod(int(given), EVERY + 1)
    if rest == EVERY:  # the client saw the keepalive after the server's event rounds*EVERY + EVERY-1
        seq = rounds * EVERY + EVERY - 1
    else:
        seq = rounds * EVERY + rest
        call.state["owed"] = rest == EVERY - 1  # it saw that event but not the keepalive after it
    call.query["starting_after"] = str(seq)


def _numbered(call: Call, event: Event) -> list[Event]:
    seq = event.get("sequence_number")
    if type(seq) is not int or seq < 0:
        return [event]
    out = []
    if call.state.pop("owed", False):
        out.append(keepalive(outward(seq) - 1))
    out.append({**event, "sequence_number": outward(seq)})
    if seq % EVERY == EVERY - 1 and event.get("type") not in _LAST:
        out.append(keepalive(outward(seq) + 1))
    return out


variation(
    "keepalive-events",
    'Streams carry `{"type": "keepalive", "sequence_number": N}` events that take part in the numbering '
    "(also on resume).",
    source='https://github.com/openai/openai-node/issues/1964 ({"type":"keepalive","sequence_number":466}); '
    "https://github.com/openai/openai-node/pull/1965; https://github.com/openai/openai-java/issues/767 "
    "({type=keepalive, sequence_number=2}); Azure v1 preview spec (keepalive events)",
    affects=("streaming.*", "resume.*", "background.*", "functions.stream.*", "chaining.read_after_write.*"),
    wrap=lambda app: Rewrite(app, on_request=_resume, on_block=events(_numbered)),
    layer=PAYLOAD,
)
