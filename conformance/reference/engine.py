"""Turns a validated create request into a finished response: context, tools, model output and usage."""

from __future__ import annotations

import base64
import time
from typing import Any

from conformance.reference import images, inputs, model
from conformance.reference.config import ServerConfig
from conformance.reference.crypto import InvalidEncryptedContent, ReasoningSealer
from conformance.reference.errors import bad_request
from conformance.reference.items import Prepared, message, new_id
from conformance.reference.mcp_tools import McpTools
from conformance.reference.store import Store, StoredResponse

IMAGE_HEADER = "x-ms-oai-image-generation-deployment"
_IMAGE_WORDS = ("image", "picture", "draw", "paint", "photo", "illustration")
_MAX_CHAIN = 1000


def _filter_verdicts(source: str, end: int) -> dict[str, Any]:
    safe = {k: {"filtered": False, "severity": "safe"} for k in ("hate", "sexual", "violence", "self_harm")}
    extra = (
        {"jailbreak": {"detected": False, "filtered": False}}
        if source == "prompt"
        else {k: {"detected": False, "filtered": False} for k in ("protected_material_code", "protected_material_text")}
    )
    return {
        "blocked": False,
        "source_type": source,
        "content_filter_raw": [],
        "content_filter_results": {**extra, **safe},
        "content_filter_offsets": {"start_offset": 0, "end_offset": end, "check_offset": 0},
    }


def _or(value: Any, default: Any) -> Any:
    """The value, or the API's default when the client sent null or nothing."""
    return default if value is None else value


def _redact_tool(tool: dict[str, Any]) -> dict[str, Any]:
    if tool.get("type") != "mcp":
        return tool
    out = dict(tool)
    if isinstance(out.get("headers"), dict):
        out["headers"] = {k: "<redacted>" for k in out["headers"]}
    out.pop("authorization", None)
    return out


def settle(response: dict[str, Any]) -> None:
    """What a real server sets once a response has run: service_tier auto resolved to default, and
    completed_at when it completed (recordings: auto -> default in 195 of 214 OpenAI and 50 of 53 Azure
    streams)."""
    if response.get("service_tier") == "auto":
        response["service_tier"] = "default"
    response["completed_at"] = int(time.time()) if response.get("status") == "completed" else None


class Engine:
    """The deterministic model behind the API, with its tools."""

    def __init__(self, config: ServerConfig, store: Store) -> None:
        self.config = config
        self.store = store
        self.sealer = ReasoningSealer.from_secret(config.secret)
        self.mcp = McpTools(config.mcp_timeout)

    def snapshot(self, body: dict[str, Any], rid: str, created_at: int, status: str) -> dict[str, Any]:
        """The response object before any output: what ``response.created`` and a queued job carry."""
        reasoning = body.get("reasoning") or {}
        is_reasoning = model.is_reasoning_model(str(body.get("model")))
        given = body.get("text") or {}
        text = {"format": _or(given.get("format"), {"type": "text"}), "verbosity": _or(given.get("verbosity"), "medium")}
        out: dict[str, Any] = {
            "id": rid,
            "object": "response",
            "created_at": created_at,
            "completed_at": None,
            "status": status,
            "background": bool(body.get("background", False)),
            "error": None,
            "incomplete_details": None,
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "max_tool_calls": body.get("max_tool_calls"),
            "model": body.get("model"),
            "output": [],
            "parallel_tool_calls": body.get("parallel_tool_calls") is not False,
            "previous_response_id": body.get("previous_response_id"),
            "prompt_cache_key": body.get("prompt_cache_key"),
            "reasoning": {
                "effort": reasoning.get("effort", "medium" if is_reasoning else None),
                "summary": reasoning.get("summary"),
            },
            "safety_identifier": body.get("safety_identifier"),
            "service_tier": body.get("service_tier") or "auto",  # resolved once the response runs (settle)
            "store": body.get("store") is not False,
            "temperature": _or(body.get("temperature"), 1.0),
            "text": text,
            "tool_choice": _or(body.get("tool_choice"), "auto"),
            "tools": [_redact_tool(t) for t in body.get("tools") or []],
            "top_logprobs": _or(body.get("top_logprobs"), 0),
            "top_p": _or(body.get("top_p"), 1.0),
            "truncation": _or(body.get("truncation"), "disabled"),
            "usage": None,
            "user": body.get("user"),
            "metadata": body.get("metadata") or {},
        }
        if self.config.flavor == "azure":
            out["content_filters"] = None
        return out

    # preparation (synchronous checks; every failure is a 4xx)

    def prepare(self, body: dict[str, Any], headers: dict[str, str]) -> Prepared:
        """Check a create request against stored state and resolve its inputs."""
        prepared = Prepared(body=body, items=inputs.normalize(body.get("input")))
        previous = body.get("previous_response_id")
        if isinstance(previous, str):
            self._load_history(previous, prepared)
        tools = body.get("tools") or []
        for i, tool in enumerate(tools):
            if tool.get("type") == "mcp" and not isinstance(tool.get("server_url"), str):
                raise bad_request("The reference server supports MCP tools with a server_url only.", f"tools[{i}].server_url")
            if tool.get("type") in ("web_search", "web_search_preview") and self.config.flavor == "azure":
                raise bad_request("The web search tool is not supported on Azure OpenAI.", f"tools[{i}].type", "unsupported_tool")
            if tool.get("type") == "image_generation" and self.config.flavor == "azure" and not headers.get(IMAGE_HEADER):
                raise bad_request(
                    f"The image_generation tool requires the '{IMAGE_HEADER}' header naming a gpt-image-1 deployment.",
                    IMAGE_HEADER,
                    "missing_required_header",
                )
        prepared.items = self._resolve_references(prepared)
        seen = prepared.history + prepared.items
        calls = {x.get("call_id") for x in seen if x.get("type") == "function_call"}
        approvals = {x.get("id") for x in seen if x.get("type") == "mcp_approval_request"}
        for i, item in enumerate(prepared.items):
            self._check_item(i, item, calls, approvals)
            if item.get("type") == "reasoning" and isinstance(item.get("encrypted_content"), str):
                prepared.thoughts[i] = self._decrypt(item["encrypted_content"])
        prepared.notes = inputs.attachments(prepared.items, self.store).notes
        return prepared

    def _load_history(self, previous: str, prepared: Prepared) -> None:
        chain: list[StoredResponse] = []
        current: Any = previous
        while isinstance(current, str) and len(chain) < _MAX_CHAIN:
            stored = self.store.get_response(current)
            if stored is None:
                raise bad_request(
                    f"Previous response with id '{current}' not found.", "previous_response_id", "previous_response_not_found"
                )
            chain.append(stored)
            current = stored.body.get("previous_response_id")
        for stored in reversed(chain):
            prepared.history += self.store.input_items(stored.body["id"]) + stored.body.get("output", [])
            prepared.earlier_tools += stored.request.get("tools") or []

    @staticmethod
    def _resolve_references(prepared: Prepared) -> list[dict[str, Any]]:
        """Input items with each ``item_reference`` replaced by the earlier item it names."""
        earlier = {x.get("id"): x for x in prepared.history}
        out = []
        for i, item in enumerate(prepared.items):
            if item.get("type") == "item_reference":
                if item.get("id") not in earlier:
                    raise bad_request(f"Item with id '{item.get('id')}' not found.", f"input[{i}].id", "item_not_found")
                item = earlier[item["id"]]
            out.append(item)
        return out

    def _check_item(self, i: int, item: dict[str, Any], calls: set[Any], approvals: set[Any]) -> None:
        kind = item.get("type")
        if kind == "function_call_output" and item.get("call_id") not in calls:
            raise bad_request(
                f"No tool call found for function call output with call_id {item.get('call_id')}.", f"input[{i}].call_id"
            )
        elif kind == "mcp_approval_response" and item.get("approval_request_id") not in approvals:
            raise bad_request(
                f"No MCP approval request found with id {item.get('approval_request_id')}.",
                f"input[{i}].approval_request_id",
            )

    def _decrypt(self, token: str) -> str:
        """The reasoning sealed in a passed-back item; a token not sealed here, or altered, is a 400 as OpenAI's
        (openai/codex#8128: invalid_request_error, param null, code invalid_encrypted_content)."""
        try:
            thoughts = self.sealer.unseal(token).get("thoughts")
        except InvalidEncryptedContent:
            raise bad_request(
                f"The encrypted content {token[:4]}...{token[-4:]} could not be verified.",
                None,
                "invalid_encrypted_content",
            ) from None
        return thoughts if isinstance(thoughts, str) else ""

    # generation

    def _conversation(self, p: Prepared) -> model.Conversation:
        texts = [inputs.item_text(x) for x in p.history]
        texts += [p.thoughts.get(i) or inputs.item_text(x) for i, x in enumerate(p.items)]
        prompt = next(
            (inputs.item_text(x) for x in reversed(p.history + p.items) if x.get("type") == "message" and x.get("role") != "assistant"),
            "",
        )
        instructions = p.body.get("instructions")
        return model.Conversation(
            prompt=prompt,
            history=[t for t in texts if t],
            attachments=p.notes,
            instructions=instructions if isinstance(instructions, str) else None,
        )

    async def complete(self, p: Prepared, rid: str, created_at: int) -> dict[str, Any]:
        """Run the model and the tools; the finished response object."""
        body = p.body
        conv = self._conversation(p)
        response = self.snapshot(body, rid, created_at, "completed")
        output: list[dict[str, Any]] = []
        hidden = 0
        if model.is_reasoning_model(str(body.get("model"))):
            output.append(self._reasoning(body, conv))
            hidden = model.reasoning_tokens(conv)
        output += await self._act(p, conv)
        limit = body.get("max_output_tokens")
        budget = limit if isinstance(limit, int) else None
        if budget is not None and hidden >= budget:
            hidden, output = budget, output[:1]
            response["status"] = "incomplete"
        spent = hidden
        for item in output:
            spent += self._spend(item, None if budget is None else budget - spent)
            if item.get("status") == "incomplete":
                response["status"] = "incomplete"
        if response["status"] == "incomplete":
            response["incomplete_details"] = {"reason": "max_output_tokens"}
        response["output"] = output
        input_tokens = model.count_tokens(conv.instructions or "") + sum(model.count_tokens(t) for t in conv.history)
        input_tokens += sum(model.count_tokens(n) for n in conv.attachments)
        response["usage"] = {
            "input_tokens": input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": spent,
            "output_tokens_details": {"reasoning_tokens": hidden},
            "total_tokens": input_tokens + spent,
        }
        settle(response)
        if self.config.flavor == "azure":
            text = " ".join(c.get("text", "") for x in output if x.get("type") == "message" for c in x["content"])
            response["content_filters"] = [
                _filter_verdicts("prompt", len(conv.prompt)),
                _filter_verdicts("completion", len(text)),
            ]
        return response

    def _spend(self, item: dict[str, Any], left: int | None) -> int:
        """Tokens an output item costs; a message that does not fit is cut and marked incomplete."""
        if item.get("type") == "message":
            part = item["content"][0]
            cost = model.count_tokens(part["text"])
            if left is not None and cost > left:
                part["text"] = model.truncate(part["text"], max(left, 0))
                item["status"] = "incomplete"
                return max(left, 0)
            return cost
        if item.get("type") in ("function_call", "mcp_call", "mcp_approval_request"):
            return model.count_tokens(str(item.get("arguments", "")))
        return 0

    def _reasoning(self, body: dict[str, Any], conv: model.Conversation) -> dict[str, Any]:
        rid = new_id("rs")
        summary_wanted = (body.get("reasoning") or {}).get("summary") is not None
        summary = [{"type": "summary_text", "text": model.reasoning_summary(conv)}] if summary_wanted else []
        item: dict[str, Any] = {"id": rid, "type": "reasoning", "summary": summary}
        if "reasoning.encrypted_content" in (body.get("include") or []):
            item["encrypted_content"] = self.sealer.seal(
                {"id": rid, "model": body.get("model"), "summary": summary, "thoughts": model.reasoning_thoughts(conv)}
            )
        return item

    async def _act(self, p: Prepared, conv: model.Conversation) -> list[dict[str, Any]]:
        body = p.body
        tools: list[dict[str, Any]] = body.get("tools") or []
        done = [x for x in p.items if x.get("type") == "function_call_output"]
        if done:
            calls = {x.get("call_id"): x.get("name", "function") for x in p.history + p.items if x.get("type") == "function_call"}
            results = [(str(calls.get(x["call_id"])), str(x.get("output", ""))) for x in done]
            return [message(model.tool_reply(results, conv.history))]
        approvals = [x for x in p.items if x.get("type") == "mcp_approval_response"]
        if approvals:
            return await self.mcp.approved(p, approvals)
        choice = body.get("tool_choice", "auto")
        if any(t.get("type") == "mcp" for t in tools) and choice != "none":
            return await self.mcp.run(p, conv)
        if any(t.get("type") == "image_generation" for t in tools) and choice != "none" and (
            (isinstance(choice, dict) and choice.get("type") == "image_generation")
            or any(w in conv.prompt.lower() for w in _IMAGE_WORDS)
        ):
            return [self._image(conv), message("Here is the generated image.")]
        chosen = model.choose_functions(tools, choice, body.get("parallel_tool_calls", True) is not False, conv.prompt)
        if chosen:
            return [
                {
                    "id": new_id("fc"),
                    "type": "function_call",
                    "status": "completed",
                    "arguments": model.arguments(t, conv.prompt),
                    "call_id": new_id("call"),
                    "name": t["name"],
                }
                for t in chosen
            ]
        fmt = (body.get("text") or {}).get("format") or {}
        if fmt.get("type") in ("json_schema", "json_object"):
            return [message(model.json_answer(fmt, conv))]
        return [message(model.reply(conv))]

    def _image(self, conv: model.Conversation) -> dict[str, Any]:
        iid = new_id("ig")
        return {
            "id": iid,
            "type": "image_generation_call",
            "status": "completed",
            "result": base64.b64encode(images.png(iid)).decode(),
            "revised_prompt": conv.prompt,
        }
