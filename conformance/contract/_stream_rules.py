"""The rules of a stream's grammar: stable IDs, levels, sentences and the spec each one comes from."""

from __future__ import annotations

from conformance.contract.rules import Level, define

OR_STREAMING = "Open Responses specification 2026-04-24, §Streaming HTTP Responses"
OR_ITEMS = "Open Responses specification 2026-04-24, §Items are streamable"
OR_EVENTS = "Open Responses specification 2026-04-24, §Extending streaming events (sequence_number)"
OPENAI_EVENTS = "openai-python 3.57.0 ResponseStreamEvent; openai-openapi.yaml ResponseStreamEvent"

JSON = define(
    "stream.json",
    Level.MUST,
    "Every event's data is a JSON object, except the `[DONE]` sentinel where the profile allows it.",
    OR_STREAMING + "; RFC 8259",
)
SEQ_PRESENT = define(
    "stream.sequence.present", Level.MUST, "Every event carries a `sequence_number`.", OPENAI_EVENTS
)
SEQ_INTEGER = define(
    "stream.sequence.integer",
    Level.MUST,
    "Every `sequence_number` is a non-negative integer.",
    OPENAI_EVENTS + "; " + OR_EVENTS,
)
SEQ_START = define(
    "stream.sequence.start",
    Level.MUST,
    "The first `sequence_number` is 0, or `starting_after` + 1 for a resumed stream.",
    OPENAI_EVENTS + "; Azure Responses how-to (resume with starting_after)",
)
SEQ_CONTIGUOUS = define(
    "stream.sequence.contiguous",
    Level.MUST,
    "Each `sequence_number` is one more than the previous one: no gaps.",
    OR_EVENTS + " (clients detect gaps)",
)
SEQ_INCREASING = define(
    "stream.sequence.increasing",
    Level.MUST,
    "No `sequence_number` repeats or goes back.",
    OR_EVENTS + " (monotonically increasing)",
)
EVENT_NAME = define(
    "stream.event_name",
    Level.MUST,
    "The SSE `event:` field, where present, equals the `type` of the event's data.",
    OR_STREAMING + " ('The event field MUST match the type in the event body')",
)
CREATED_FIRST = define(
    "stream.order.created_first",
    Level.MUST,
    "A stream starts with response.created, then response.in_progress (response.queued between them for a "
    "background response), each once.",
    OPENAI_EVENTS + " (response.created / queued / in_progress)",
)
TERMINAL_SINGLE = define(
    "stream.terminal.single",
    Level.MUST,
    "A stream has exactly one terminal event: response.completed, response.incomplete or response.failed.",
    OPENAI_EVENTS,
)
TERMINAL_LAST = define(
    "stream.terminal.last",
    Level.MUST,
    "No event follows the terminal event, except the `[DONE]` sentinel where the profile has one.",
    OPENAI_EVENTS + "; " + OR_STREAMING,
)
TERMINAL_MISSING = define(
    "stream.terminal.missing",
    Level.MUST,
    "A stream does not end before its terminal event (a stream without one is truncated).",
    OPENAI_EVENTS,
)
TERMINAL_AFTER_ERROR = define(
    "stream.terminal.after_error",
    Level.MUST,
    "An `error` event is followed by response.failed as the terminal event.",
    OPENAI_EVENTS + " (error event); recorded OpenAI streams",
)
ITEM_PAIRING = define(
    "stream.item.pairing",
    Level.MUST,
    "Every response.output_item.added has one response.output_item.done, and every event about an item comes "
    "between the two; an mcp_list_tools item may instead end with its response.mcp_list_tools.completed (or "
    ".failed) event.",
    OR_ITEMS + "; real OpenAI streams that list the tools of several MCP servers send output_item.done for the "
    "last mcp_list_tools item only, after every item's mcp_list_tools.completed (pydantic/pydantic-ai#5419, "
    "recorded live in PR #5443: pydantic-ai__test_openai_responses.test_openai_responses_model_mcp_list_tools_"
    "stream_backfills_missing_results__1, sequence numbers 0-118 contiguous)",
)
ITEM_OUTPUT_INDEX = define(
    "stream.item.output_index",
    Level.MUST,
    "Output items are added with output_index 0, 1, 2 and so on, and every event about an item carries that "
    "item's output_index.",
    OR_ITEMS,
)
ITEM_ITEM_ID = define(
    "stream.item.item_id",
    Level.MUST,
    "Every event about an item carries the id of the item open at its output_index.",
    OR_ITEMS,
)
PART_PAIRING = define(
    "stream.part.pairing",
    Level.MUST,
    "Every content or summary part added is done once before its item is done, and every event about a "
    "part comes between the two.",
    OR_ITEMS + " (content_part.added ... content_part.done)",
)
PART_INDEX = define(
    "stream.part.content_index",
    Level.MUST,
    "The parts of an item are added with content_index (summary_index for summary parts) 0, 1, 2 and so on.",
    OR_ITEMS,
)
DELTA_AFTER_DONE = define(
    "stream.delta.after_done",
    Level.MUST,
    "No delta, and no second done event, follows the done event of its part or item.",
    OR_ITEMS + " ('no updates may be made to the item after ... completed')",
)
KEEPALIVE_PROFILE = define(
    "stream.keepalive.profile",
    Level.MUST,
    "`keepalive` events belong to the openai and azure profiles, where they carry a sequence_number and take "
    "part in the numbering; an open-responses stream sends none.",
    "Azure OpenAI v1 preview spec (keepalive events); OpenAI sends {\"type\": \"keepalive\", "
    "\"sequence_number\": 466} on long streams, later events numbered on (openai/openai-node#1964, fixed in "
    "PR #1965; openai/openai-java#767); " + OR_EVENTS + " (an extension event's type is prefixed with the "
    "implementor's slug, so an unprefixed keepalive is not an Open Responses event)",
)
DONE_SENTINEL = define(
    "stream.done_sentinel",
    Level.MUST,
    "An open-responses stream ends with `data: [DONE]` right after its terminal event; openai and azure "
    "streams send no sentinel.",
    OR_STREAMING + " ('The terminal event MUST be the literal string [DONE]'); openai-openapi.yaml and "
    "the Azure v1 spec define no sentinel, and no recorded OpenAI or Azure stream carries one",
)
