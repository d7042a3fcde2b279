"""Redaction: SAS query strings, MCP headers, header allow-list, secret scrubbing; evidence is redacted."""

from __future__ import annotations

import base64
import json
from typing import Any

from clientkit import KEY, Script, client, json_response, sse_bytes, sse_response

from conformance.client import Evidence, Secrets, redact_headers, redact_json, redact_url

SAS = (
    "https://acct.blob.core.windows.net/c/cat.png?sv=2024-11-04&ss=b&srt=o&sp=r&se=2030-01-01T00%3A00%3A00Z"
    "&st=2026-01-01T00%3A00%3A00Z&spr=https&sig=AbCdEf%2Bsecret%3D&skoid=1234&format=png"
)
MCP_TOKEN = "mcp-header-secret-xyz"


def test_redact_url_drops_sas_parameters_keys_and_userinfo() -> None:
    assert redact_url(SAS) == "https://acct.blob.core.windows.net/c/cat.png?format=png"
    assert redact_url(f"https://u:{KEY}@h/x?api-version=preview&api-key={KEY}") == "https://h/x?api-version=preview"
    plain = "https://h/openai/v1/responses?api-version=preview"
    assert redact_url(plain) == plain


def test_redact_json_blanks_mcp_headers_keys_and_sas_urls() -> None:
    body: dict[str, Any] = {
        "input": [{"role": "user", "content": [{"type": "input_image", "image_url": SAS}]}],
        "tools": [
            {"type": "mcp", "server_label": "s", "server_url": "https://m/mcp", "headers": {"Authorization": MCP_TOKEN}},
            {"type": "function", "name": "f", "parameters": {"headers": {"type": "object"}}},
        ],
        "metadata": {"api_key": KEY, "Authorization": KEY, "note": "kept"},
    }
    redacted = redact_json(body)
    text = json.dumps(redacted)
    assert MCP_TOKEN not in text and KEY not in text and "sig=" not in text
    assert redacted["tools"][0]["headers"] == "<redacted>"
    assert redacted["tools"][1]["parameters"] == {"headers": {"type": "object"}}  # not an MCP tool
    assert redacted["metadata"]["note"] == "kept"
    assert body["tools"][0]["headers"] == {"Authorization": MCP_TOKEN}  # the original is untouched


def test_redact_headers_is_an_allow_list() -> None:
    shown = redact_headers(
        {"Api-Key": KEY, "Authorization": f"Bearer {KEY}", "Cookie": "c=1", "Content-Type": "application/json",
         "x-ratelimit-remaining-requests": "9", "apim-request-id": "a", "X-Custom": "hidden"}
    )
    assert shown == {
        "api-key": "<redacted>", "apim-request-id": "a", "authorization": "<redacted>",
        "content-type": "application/json", "x-ratelimit-remaining-requests": "9",
    }


def test_secrets_scrub_every_usual_form() -> None:
    odd = 'k/e+y"w=ith'
    secrets = Secrets([KEY, odd, "abc", ""])
    text = f"{KEY} {odd} {json.dumps(odd)} k%2Fe%2By%22w%3Dith abc"
    assert secrets.scrub(text) == '<redacted> <redacted> "<redacted>" <redacted> abc'  # short values ignored
    assert "3 known" not in repr(secrets) and KEY not in repr(secrets)


def test_secrets_ask_their_sources_each_time() -> None:
    tokens: list[str] = []
    secrets = Secrets()
    secrets.add_source(lambda: tokens)
    assert secrets.scrub("token-one") == "token-one"
    tokens.append("token-one")
    assert secrets.scrub_obj({"token-one": ["token-one", 1, None]}) == {"<redacted>": ["<redacted>", 1, None]}


def test_evidence_never_holds_the_key_mcp_headers_or_sas_even_when_echoed() -> None:
    body = {
        "input": f"key {KEY} and {SAS}",
        "tools": [{"type": "mcp", "server_label": "s", "server_url": "https://m", "headers": {"X-Token": MCP_TOKEN}}],
    }

    def echo(request):  # type: ignore[no-untyped-def]
        sent = json.loads(request.content) if request.content else None
        return json_response({"id": "r", "object": "response", "echo": sent, "header": request.headers["api-key"]})

    c = client(Script(echo), "azure-v1")
    c.create(body)
    c.raw("GET", "/responses/r", params={"api-key": KEY})
    text = json.dumps(c.evidence.as_dict())
    assert KEY not in text and MCP_TOKEN not in text and "sig=AbCd" not in text
    assert c.evidence.exchanges[0]["request_body"]["tools"][0]["headers"] == "<redacted>"
    assert c.evidence.exchanges[1]["url"] == "http://target.test/openai/v1/responses/r?api-version=preview"


def test_mcp_header_values_echoed_in_sse_events_are_scrubbed() -> None:
    event = {"type": "response.output_text.delta", "sequence_number": 1, "delta": f"the token is {MCP_TOKEN}"}
    c = client(Script(sse_response(sse_bytes([event]))))
    tools = [{"type": "mcp", "server_label": "s", "server_url": "https://m", "headers": {"Authorization": f"Bearer {MCP_TOKEN}"}}]
    c.stream({"tools": tools}).read_all()
    assert MCP_TOKEN not in json.dumps(c.evidence.as_dict())


def test_base64_over_256_characters_is_cut_with_a_note() -> None:
    blob = base64.b64encode(bytes(range(256)) * 8).decode()
    short = base64.b64encode(b"tiny").decode()
    body = {
        "input": [{"type": "input_file", "file_data": f"data:application/pdf;base64,{blob}"}],
        "short": short,
        "text": "a sentence, not base64 " * 20,
    }
    c = client(Script(json_response({"result": blob})))
    c.create(body)
    logged = c.evidence.exchanges[0]
    kept = logged["request_body"]["input"][0]["file_data"]
    assert kept.startswith("data:application/pdf;base64,") and kept.endswith(f"<cut: {len(blob) + 28} characters of base64>")
    assert logged["request_body"]["short"] == short and logged["request_body"]["text"] == body["text"]
    assert "cut" in logged["response_body"]["result"]


def test_multipart_uploads_are_not_logged_byte_by_byte() -> None:
    c = client(Script(json_response({"id": "file-1", "object": "file"})))
    c.upload_file("a.pdf", b"%PDF-1.7 secret document", "assistants", "application/pdf")
    assert c.evidence.exchanges[0]["request_body"].startswith("<multipart body: ")


def test_evidence_is_json_ready() -> None:
    evidence = Evidence()
    c = client(Script(), evidence=evidence)
    c.create({})
    exchange = json.loads(json.dumps(evidence.as_dict()))["exchanges"][0]
    assert set(exchange) == {
        "method", "url", "status", "request_headers", "request_body", "response_headers", "response_body",
        "attempts", "duration_s",
    }
