"""The error envelope ``{"error": {"message", "type", "param", "code"}}`` and the exceptions that produce it."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An error the API reports to the client with a status and an envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers

    def envelope(self) -> dict[str, Any]:
        """The JSON body of this error."""
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def response(self) -> JSONResponse:
        """A Starlette response carrying the envelope."""
        return JSONResponse(self.envelope(), status_code=self.status, headers=self.headers)


def bad_request(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    """A 400 ``invalid_request_error``."""
    return ApiError(400, message, param=param, code=code)


def not_found(kind: str, ident: str) -> ApiError:
    """A 404 in the wording OpenAI and Azure use."""
    return ApiError(404, f"{kind} with id '{ident}' not found.")


def param_from_pointer(ptr: str) -> str | None:
    """``/input/0/content`` -> ``input[0].content`` (the way the API names a parameter)."""
    out = ""
    for part in (p for p in ptr.split("/") if p):
        part = part.replace("~1", "/").replace("~0", "~")
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or None
