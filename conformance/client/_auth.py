"""Authentication as ``httpx.Auth`` subclasses: an api-key header, a static bearer token, Entra ID tokens.

Every class knows its secret values (so ``Secrets`` can scrub them) and never shows them in its repr.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

import httpx

from conformance.client._errors import CredentialError

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"
REFRESH_MARGIN_S = 300.0


class SecretAuth(httpx.Auth):
    """An auth whose secret values are known, for scrubbing; subclasses never show them."""

    def secret_values(self) -> tuple[str, ...]:
        raise NotImplementedError

    def __str__(self) -> str:
        return repr(self)


class ApiKeyAuth(SecretAuth):
    """A key in a header: ``api-key`` for Azure (gateways may want ``x-api-key`` or another name)."""

    def __init__(self, key: str, header: str = "api-key") -> None:
        self._key = key
        self.header = header

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self.header] = self._key
        yield request

    def secret_values(self) -> tuple[str, ...]:
        return (self._key,)

    def __repr__(self) -> str:
        return f"ApiKeyAuth(header={self.header!r}, key='<redacted>')"


class BearerAuth(SecretAuth):
    """A static token sent as ``Authorization: Bearer <token>`` (OpenAI keys, pre-fetched Entra tokens)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def secret_values(self) -> tuple[str, ...]:
        return (self._token,)

    def __repr__(self) -> str:
        return "BearerAuth(token='<redacted>')"


class EntraAuth(SecretAuth):
    """Entra ID bearer tokens from azure-identity, refreshed 5 minutes before expiry and once on a 401."""

    def __init__(
        self,
        credential: TokenCredential | None = None,
        scope: str = ENTRA_SCOPE,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._credential = credential
        self.scope = scope
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_on = 0.0
        self._issued: list[str] = []

    def token(self, *, force: bool = False) -> str:
        """The cached token, or a new one when forced, missing or within the refresh margin of expiry."""
        with self._lock:
            if force or self._token is None or self._clock() >= self._expires_on - REFRESH_MARGIN_S:
                try:
                    access = self._get_credential().get_token(self.scope)
                except Exception as exc:  # azure-identity raises several types; all mean "no token"
                    first = (str(exc).strip().splitlines() or [""])[0]
                    raise CredentialError(f"Entra ID: no token for {self.scope}: {type(exc).__name__}: {first}") from None
                self._token, self._expires_on = access.token, float(access.expires_on)
                self._issued.append(access.token)
            return self._token

    def _get_credential(self) -> TokenCredential:
        if self._credential is None:
            from azure.identity import DefaultAzureCredential

            self._credential = DefaultAzureCredential(exclude_managed_identity_credential=True)
        return self._credential

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {self.token(force=True)}"
            yield request

    def secret_values(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._issued)

    def __repr__(self) -> str:
        return f"EntraAuth(scope={self.scope!r})"
