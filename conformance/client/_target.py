"""What the suite talks to: an endpoint in one of three URL styles, a model or deployment, and auth."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args
from urllib.parse import urlsplit

import httpx

from conformance.client._auth import ApiKeyAuth, BearerAuth, EntraAuth

ApiStyle = Literal["azure-v1", "azure-deployments", "openai"]
API_STYLES: tuple[ApiStyle, ...] = get_args(ApiStyle)
DEFAULT_API_VERSIONS: dict[str, str | None] = {
    "azure-v1": "preview",
    "azure-deployments": "2025-04-01-preview",
    "openai": None,
}
# Azure's page uploads files through the older surface with this dated version.
FILES_API_VERSION = "2024-10-21"
OPENAI_BASE_URL = "https://api.openai.com/v1"
_V1_VERSIONS = ("preview", "v1", "latest")
_AZURE_SUFFIX = re.compile(r"/openai(/v1)?/?$")


@dataclass(frozen=True)
class Target:
    """One endpoint in one URL style, with its api-version, model (the deployment on Azure) and auth.

    ``api_version`` None means the style's default (``preview``, ``2025-04-01-preview``, none for OpenAI).
    """

    endpoint: str
    api_style: ApiStyle = "openai"
    api_version: str | None = None
    model: str = ""
    auth: httpx.Auth | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 60.0
    files_api_version: str | None = None

    def __post_init__(self) -> None:
        if self.api_style not in API_STYLES:
            raise ValueError(f"unknown API style {self.api_style!r}: expected one of {', '.join(API_STYLES)}")
        if self.api_version is None:
            object.__setattr__(self, "api_version", DEFAULT_API_VERSIONS[self.api_style])
        if self.files_api_version is None:
            files = FILES_API_VERSION if self.api_style == "azure-deployments" else self.api_version
            object.__setattr__(self, "files_api_version", files)
        object.__setattr__(self, "endpoint", _normalise(self.endpoint, self.api_style))

    @property
    def base_url(self) -> str:
        """The URL that API paths (``/responses``, ``/files``) are appended to."""
        if self.api_style == "azure-v1":
            return f"{self.endpoint}/openai/v1"
        if self.api_style == "azure-deployments":
            return f"{self.endpoint}/openai"
        return self.endpoint

    @property
    def host(self) -> str:
        """The endpoint's host (and port), the only part of it a report shows."""
        return urlsplit(self.endpoint).netloc.rpartition("@")[2]

    def url(self, path: str) -> str:
        """The full URL of an API path such as ``/responses/{id}`` (without the query)."""
        return self.base_url + "/" + path.lstrip("/")

    def params(self, path: str = "/responses") -> dict[str, str]:
        """The query this style adds to ``path``: the ``api-version`` (Files may use another one)."""
        is_files = path.lstrip("/").startswith("files")
        version = self.files_api_version if is_files else self.api_version
        return {"api-version": version} if version is not None else {}

    @classmethod
    def from_env(
        cls,
        model: str = "",
        *,
        api_style: ApiStyle | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Target:
        """A target from the usual environment variables.

        Precedence: ``AZURE_OPENAI_ENDPOINT`` wins and makes an Azure target, authenticated by
        ``AZURE_OPENAI_API_KEY`` when set, else by Entra ID; its style is ``azure-v1`` unless
        ``OPENAI_API_VERSION`` is dated (then ``azure-deployments``), and that variable sets the version.
        Otherwise ``OPENAI_BASE_URL`` (default ``https://api.openai.com/v1``) with ``OPENAI_API_KEY`` as a
        bearer token makes an ``openai`` target. With neither endpoint nor OpenAI key, ValueError.
        """
        env = os.environ if environ is None else environ
        version = env.get("OPENAI_API_VERSION") or None
        azure = env.get("AZURE_OPENAI_ENDPOINT")
        if azure:
            key = env.get("AZURE_OPENAI_API_KEY")
            style = api_style or ("azure-v1" if version is None or version in _V1_VERSIONS else "azure-deployments")
            auth: httpx.Auth = ApiKeyAuth(key) if key else EntraAuth()
            return cls(azure, style, version, model, auth)
        base, key = env.get("OPENAI_BASE_URL"), env.get("OPENAI_API_KEY")
        if not base and not key:
            raise ValueError(
                "no target in the environment: set AZURE_OPENAI_ENDPOINT (and AZURE_OPENAI_API_KEY or use "
                "Entra ID), or OPENAI_API_KEY (and optionally OPENAI_BASE_URL)"
            )
        return cls(base or OPENAI_BASE_URL, api_style or "openai", None, model, BearerAuth(key) if key else None)


def _normalise(endpoint: str, style: str) -> str:
    """No trailing slash; Azure endpoints without a pasted ``/openai[/v1]``; a bare OpenAI host gets ``/v1``."""
    url = endpoint.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError("the endpoint is not an http(s) URL")
    if style == "openai":
        return url if urlsplit(url).path not in ("", "/") else url + "/v1"
    return _AZURE_SUFFIX.sub("", url)
