"""Error envelopes and status codes: bad bodies, unknown ids, bad credentials, bad api-versions, never a 5xx."""

from __future__ import annotations

from typing import Any

from conformance.checks._answers import refused
from conformance.checks._check import ContractViolation, HarnessError, NotApplicable, Tier, check, expect
from conformance.checks._judge import ENVELOPE, Judge
from conformance.checks._turns import ask, unknown_id
from conformance.client import ApiKeyAuth, ApiResponse, BearerAuth, ResponsesClient
from conformance.matrix import Cell

JSON = {"content-type": "application/json"}
RESOURCE_NOT_FOUND = ("MicrosoftDocs/azure-docs#114602 (the deployments route answers 404 Resource not found "
                      "without a supported api-version); hotovo/aider-desk#460 (400 API version not "
                      "supported)")
WRONG_KEY = "rc-wrong-key-0000000000000000"


def _valid(cell: Cell) -> dict[str, Any]:
    """A create body that breaks no rule: each negative case below breaks exactly one."""
    return {"model": cell.deployment, **ask(cell, "Say hello.")}


def _forget(client: ResponsesClient, reply: ApiResponse) -> None:
    """Delete what a wrongly accepted negative case created (raw requests are not cleaned up by the run)."""
    body = reply.body
    if reply.status_code == 200 and isinstance(body, dict) and isinstance(body.get("id"), str):
        client.delete(body["id"])


def _param(reply: ApiResponse) -> Any:
    error = reply.body.get("error") if isinstance(reply.body, dict) else None
    return error.get("param") if isinstance(error, dict) else None


@check("errors.malformed_json.bad_request", owns=ENVELOPE, spec="openai-openapi#createResponse", tier=Tier.smoke,
       requires=("text",))
def test_malformed_json_is_a_bad_request(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A request body that is not valid JSON MUST be refused with 400 and an error envelope."""
    reply = client.raw("POST", "/responses", content=b'{"model": "' + cell.deployment.encode() + b'", "input": ',
                       headers=JSON)
    refused(reply, judge, "a malformed JSON body", statuses=(400,))


@check("errors.wrong_type.names_param", owns=ENVELOPE, spec="openai-openapi#createResponse", requires=("text",))
def test_wrong_type_is_refused_naming_the_param(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A parameter of the wrong type MUST be refused with 400 and an error envelope whose param names it."""
    reply = client.raw("POST", "/responses", json={**_valid(cell), "max_output_tokens": "sixteen"})
    _forget(client, reply)
    refused(reply, judge, "max_output_tokens as a string", statuses=(400,))
    expect(_param(reply) == "max_output_tokens", "the error does not name the parameter of the wrong type",
           expected="max_output_tokens", actual=repr(_param(reply)))


@check("errors.missing_model.names_param", owns=ENVELOPE, spec="openai-openapi#createResponse", requires=("text",))
def test_missing_model_is_refused_naming_model(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A create request without model MUST be refused with 400 and an error envelope whose param is model.

    Azure answers 400 {"error": {"message": "Missed model deployment"}}: a known issue of the azure profile.
    """
    body = {k: v for k, v in _valid(cell).items() if k != "model"}
    reply = client.raw("POST", "/responses", json=body)
    _forget(client, reply)
    judge_missing_model(reply, judge)


def judge_missing_model(reply: ApiResponse, judge: Judge) -> None:
    """The judge of errors.missing_model.names_param: 400, an error envelope, and param model."""
    refused(reply, judge, "a create request without model", statuses=(400,))
    expect(_param(reply) == "model", "the error does not name the missing parameter", expected="model",
           actual=repr(_param(reply)))


@check("errors.unknown_response.not_found", owns=ENVELOPE, spec="openai-openapi#getResponse", tier=Tier.smoke,
       requires=("text",), profiles=("openai", "azure"))
def test_unknown_response_id_is_not_found(client: ResponsesClient, judge: Judge) -> None:
    """Retrieving an id that names no response MUST answer 404 with an error envelope."""
    refused(client.retrieve(unknown_id()), judge, "retrieve of an unknown id", statuses=(404,))


@check("errors.auth.wrong_key", owns=ENVELOPE, spec="openai-openapi#createResponse", tier=Tier.smoke, requires=("text",))
def test_wrong_key_is_unauthorized(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A request with a wrong key MUST be refused with 401 and an error envelope.

    The wrong key travels the way the cell authenticates: an api-key header, or a bearer token.
    """
    wrong = ApiKeyAuth(WRONG_KEY) if cell.credential.kind == "api-key" else BearerAuth(WRONG_KEY)
    reply = client.raw("POST", "/responses", json=_valid(cell), auth=wrong)
    _forget(client, reply)
    refused(reply, judge, "a wrong key", statuses=(401,))


@check("errors.auth.missing_key", owns=ENVELOPE, spec="openai-openapi#createResponse", tier=Tier.smoke, requires=("text",))
def test_missing_key_is_unauthorized(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A request without credentials MUST be refused with 401 and an error envelope."""
    reply = client.raw("POST", "/responses", json=_valid(cell), auth=False)
    _forget(client, reply)
    refused(reply, judge, "no credentials", statuses=(401,))


@check("errors.api_version.unsupported", owns=ENVELOPE, spec="azure-v1-preview#api-version; " + RESOURCE_NOT_FOUND,
       requires=("text",), profiles=("azure",))
def test_unsupported_api_version_is_a_bad_request(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """An unsupported api-version MUST be refused with 400 (404 on the deployments route) and an error body.

    Azure answers 400 {"error": {"code": "BadRequest", "message": "API version not supported"}}; its older
    deployments route answers an unsupported or missing api-version with 404 {"error": {"code": "404",
    "message": "Resource not found"}}, which is accepted there.
    """
    if cell.api_style == "openai":
        raise NotApplicable("the openai API style sends no api-version")
    reply = client.raw("POST", "/responses", json=_valid(cell), api_version="1999-01-01")
    _forget(client, reply)
    refused(reply, judge, "api-version 1999-01-01", statuses=api_version_refusals(cell.api_style))


def api_version_refusals(api_style: str) -> tuple[int, ...]:
    """The statuses that refuse an unsupported api-version in this API style (the check's judge)."""
    return (400, 404) if api_style == "azure-deployments" else (400,)


def _client_errors(cell: Cell) -> dict[str, dict[str, Any]]:
    """Requests that each break exactly one rule of the create request, by what they break."""
    valid = _valid(cell)
    return {
        "malformed JSON": {"content": b'{"input": ', "headers": JSON},
        "a JSON array as the body": {"content": b"[]", "headers": JSON},
        "no model": {"json": {k: v for k, v in valid.items() if k != "model"}},
        "input as a number": {"json": {**valid, "input": 42}},
        "max_output_tokens as a string": {"json": {**valid, "max_output_tokens": "sixteen"}},
        "temperature 5": {"json": {**valid, "temperature": 5}},
        "an unknown tool type": {"json": {**valid, "tools": [{"type": "no_such_tool"}]}},
        "an unknown input item type": {"json": {**valid, "input": [{"type": "no_such_item"}]}},
        "tool_choice naming no tool": {"json": {**valid, "tool_choice": {"type": "function", "name": "nowhere"}}},
    }


@check("errors.client_error.never_5xx", spec="openai-openapi#createResponse", requires=("text",))
def test_client_errors_are_never_server_errors(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A request with a client error MUST NOT be answered with a 5xx status."""
    server_errors, accepted = [], []
    for what, request in _client_errors(cell).items():
        reply = client.raw("POST", "/responses", **request)
        _forget(client, reply)
        if reply.status_code < 400:
            accepted.append(what)
        if reply.status_code >= 500:
            server_errors.append(f"{what}: {reply.status_code}")
        elif reply.status_code >= 400:
            refused(reply, judge, what)
    if server_errors:
        raise ContractViolation("client errors were answered with a server error", expected="4xx",
                                actual="; ".join(server_errors))
    if len(accepted) == len(_client_errors(cell)):
        raise HarnessError(f"not judged: the target accepted every request with a client error ({', '.join(accepted)})")
