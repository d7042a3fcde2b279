"""The deterministic model: answers the suite's prompts the way a cooperative real model would.

Pure functions of the conversation text; ids, usage, tools and events are the engine's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

REASONING_MODELS = ("o1", "o3", "o3-mini", "o4-mini")

_FILLER = (
    "The reference server writes this long answer deterministically so that clients can test how they "
    "handle many deltas arriving in order, how they join the fragments, and how they resume a stream "
    "after a dropped connection without losing or repeating a single word of the text."
).split()
_QUESTION = re.compile(r"\bwhat(?:'s| is| was| are)\s+(?:the |my |our )?([a-z][\w -]{0,40}?)\s*\?", re.I)
_SAY = re.compile(
    r"\b(?:say|reply with|respond with|answer with|repeat)\s+(?:exactly\s+|only\s+|just\s+)?"
    r"(?:\"([^\"]+)\"|'([^']+)'|(.+?))(?:\s+and nothing else)?\s*[.!]?\s*$",
    re.I | re.S,
)
_COUNT = re.compile(r"\bcount\s+(?:from\s+(\d+)\s+)?to\s+(\d+)", re.I)
_WORDS = re.compile(r"\b(\d{1,5})\s+words\b", re.I)
_ARITH = re.compile(r"(-?\d+)\s*([+*x-])\s*(-?\d+)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z]+)\b")


def is_reasoning_model(model: str) -> bool:
    """True for the reasoning-model names (o1, o3, o3-mini, o4-mini and their dated versions)."""
    return any(model == m or model.startswith(m + "-20") for m in REASONING_MODELS)


def count_tokens(text: str) -> int:
    """Deterministic token count: whitespace-separated words."""
    return len(text.split())


@dataclass
class Conversation:
    """What the model sees: earlier texts, the latest user prompt and descriptions of attachments."""

    prompt: str
    history: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    instructions: str | None = None


def _recall(question: str, texts: list[str]) -> str | None:
    match = _QUESTION.search(question)
    if not match:
        return None
    key = re.escape(match.group(1).strip())
    fact = re.compile(rf"\b{key}\s*(?:is|was|=|:)?\s*[\"'“]?([\w][\w.-]*)", re.I)
    for text in reversed(texts):
        for found in fact.finditer(text):  # "reply with the code word only" states no code word
            if found.group(1).rstrip(".").lower() not in ("is", "was", "the", "only", "a", "an"):
                return f"The {match.group(1).strip()} is {found.group(1).rstrip('.')}."
    return None


def _long(prompt: str) -> str | None:
    count = _COUNT.search(prompt)
    if count:
        start, end = int(count.group(1) or 1), int(count.group(2))
        if end - start <= 5000:
            return ", ".join(str(n) for n in range(start, end + 1)) + "."
    words = _WORDS.search(prompt)
    if words or re.search(r"\b(long|essay|story|in detail)\b", prompt, re.I):
        n = int(words.group(1)) if words else 300
        return " ".join(_FILLER[i % len(_FILLER)] for i in range(max(1, min(n, 20000)))) + "."
    return None


def _arithmetic(prompt: str) -> str | None:
    match = _ARITH.search(prompt)
    if not match or not re.search(r"\b(what|how much|compute|calculate)\b", prompt, re.I):
        return None
    a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
    value = a + b if op == "+" else a - b if op == "-" else a * b
    return f"{a} {op} {b} = {value}."


def reply(conv: Conversation) -> str:
    """The text answer to the latest prompt."""
    prompt = conv.prompt.strip()
    said = _SAY.search(prompt)
    if said and not _QUESTION.search(prompt):
        return next(g for g in said.groups() if g is not None).strip()
    answer = _recall(prompt, [*conv.history, *conv.attachments, prompt]) or _long(prompt) or _arithmetic(prompt)
    if answer is None and re.match(r"\s*remember\b", prompt, re.I):
        answer = "Understood, I will remember that: " + prompt.split(None, 1)[-1].rstrip(".") + "."
    if answer is None:
        answer = "Hello! How can I help you today?" if re.match(r"\s*(hi|hello|hey)\b", prompt, re.I) else (
            f'This is the reference model\'s answer to: "{prompt}".' if prompt else "How can I help you today?"
        )
    if conv.attachments:
        answer = answer + " " + " ".join(conv.attachments)
    return answer


def tool_reply(results: list[tuple[str, str]], history: list[str] | None = None) -> str:
    """An answer that uses tool results: (tool name, output) pairs; a question in an output is answered from ``history``."""
    for _, output in results:
        answer = _recall(output, history or []) if history else None
        if answer is not None:
            return answer
    parts = [f"The {name} tool returned: {output.strip()}" for name, output in results]
    return " ".join(p if p.endswith(".") else p + "." for p in parts)


def reasoning_summary(conv: Conversation) -> str:
    """The summary text of the model's reasoning about the prompt."""
    topic = " ".join(conv.prompt.split()[:12]) or "the request"
    return f"**Answering the question**\n\nThe user asked: {topic}. I will answer directly and concisely."


def reasoning_thoughts(conv: Conversation) -> str:
    """The hidden reasoning about the prompt (sealed in encrypted_content): it restates the whole request."""
    return f"The user wrote: {conv.prompt.strip()}"


def reasoning_tokens(conv: Conversation) -> int:
    """How many hidden reasoning tokens the model spends (deterministic)."""
    return 16 + 2 * count_tokens(conv.prompt)


class _Values:
    """Values for generated instances, taken from the prompt where it offers them."""

    def __init__(self, prompt: str) -> None:
        self.numbers = iter(_NUMBER.findall(prompt))
        self.names = [n for n in _NAME.findall(prompt) if n.lower() not in ("what", "use", "call", "the")]
        self.prompt = prompt

    def number(self, integer: bool) -> int | float:
        raw = next(self.numbers, "0")
        value = float(raw)
        return int(value) if integer else (int(value) if value.is_integer() else value)

    def string(self, name: str) -> str:
        if name in ("text", "message", "query", "input", "prompt", "content"):
            return self.prompt
        return self.names[0] if self.names else "example"


def instance(schema: Any, prompt: str = "") -> Any:
    """A minimal value valid against a JSON schema: required properties, enums' first value."""
    return _instance(schema, _Values(prompt), "value", schema if isinstance(schema, dict) else {}, 0)


def _instance(schema: Any, values: _Values, name: str, root: dict[str, Any], depth: int) -> Any:
    if not isinstance(schema, dict) or depth > 12:
        return values.string(name)
    if "$ref" in schema and isinstance(schema["$ref"], str) and schema["$ref"].startswith("#/"):
        target: Any = root
        for part in schema["$ref"][2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return _instance(target, values, name, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return _instance(schema[key][0], values, name, root, depth + 1)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {}) if isinstance(schema.get("properties"), dict) else {}
        required = schema.get("required", list(props))
        return {k: _instance(props.get(k, {}), values, k, root, depth + 1) for k in required}
    if kind == "array":
        count = int(schema.get("minItems", 1))
        return [_instance(schema.get("items", {}), values, name, root, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        value = values.number(kind == "integer")
        low, high = schema.get("minimum"), schema.get("maximum")
        if isinstance(low, (int, float)) and value < low:
            value = low
        if isinstance(high, (int, float)) and value > high:
            value = high
        return value
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema, values, name)


def _string(schema: dict[str, Any], values: _Values, name: str) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return "2025-01-01"
    if fmt == "date-time":
        return "2025-01-01T00:00:00Z"
    if fmt == "email":
        return "user@example.com"
    if fmt in ("uri", "url"):
        return "https://example.com/"
    text = values.string(name)
    low = int(schema.get("minLength", 0))
    high = schema.get("maxLength")
    if len(text) < low:
        text = text + "x" * (low - len(text))
    return text[: int(high)] if isinstance(high, int) else text


def json_answer(fmt: dict[str, Any], conv: Conversation) -> str:
    """The JSON text for a ``json_schema`` or ``json_object`` text format."""
    if fmt.get("type") == "json_schema":
        return orjson.dumps(instance(fmt.get("schema", {}), conv.prompt)).decode()
    return orjson.dumps({"answer": reply(conv)}).decode()


def choose_functions(
    tools: list[dict[str, Any]], tool_choice: Any, parallel: bool, prompt: str
) -> list[dict[str, Any]]:
    """The function tools to call this turn (empty when the model answers in text)."""
    functions = [t for t in tools if t.get("type") == "function" and isinstance(t.get("name"), str)]
    if not functions or tool_choice == "none":
        return []
    if isinstance(tool_choice, dict):
        if tool_choice.get("type") == "function":
            return [t for t in functions if t["name"] == tool_choice.get("name")][:1]
        if tool_choice.get("type") == "allowed_tools":
            names = {t.get("name") for t in tool_choice.get("tools", []) if isinstance(t, dict)}
            functions = [t for t in functions if t["name"] in names]
        else:
            return []
    lowered = prompt.lower()
    named = [t for t in functions if t["name"].lower() in lowered or t["name"].replace("_", " ").lower() in lowered]
    chosen = named or functions[:1]
    return chosen if parallel else chosen[:1]


def arguments(tool: dict[str, Any], prompt: str) -> str:
    """The JSON arguments of a call, valid against the tool's parameters schema."""
    params = tool.get("parameters") or tool.get("input_schema") or {"type": "object", "properties": {}}
    value = instance(params, prompt)
    return orjson.dumps(value if isinstance(value, dict) else {}).decode()


def words(text: str) -> Iterator[str]:
    """The text cut into deltas: each word with the whitespace before it."""
    for match in re.finditer(r"\s*\S+", text):
        yield match.group(0)
    tail = text[len(text.rstrip()) :]
    if tail:
        yield tail


def truncate(text: str, tokens: int) -> str:
    """The first ``tokens`` words of a text (with their original spacing)."""
    out = ""
    for i, piece in enumerate(words(text)):
        if i >= tokens:
            break
        out += piece
    return out.rstrip()
