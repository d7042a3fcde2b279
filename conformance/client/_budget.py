"""The run's request budget and the output-token cap every request carries; shared across cells."""

from __future__ import annotations

import threading
from typing import Any

from conformance.client._errors import BudgetExhausted

DEFAULT_OUTPUT_TOKENS = 256


class Budget:
    """At most ``max_requests`` requests (None: unbounded) and ``max_output_tokens`` per request."""

    def __init__(
        self,
        max_requests: int | None = None,
        max_output_tokens: int | None = None,
        *,
        default_output_tokens: int = DEFAULT_OUTPUT_TOKENS,
    ) -> None:
        self.max_requests = max_requests
        self.max_output_tokens = max_output_tokens
        self.default_output_tokens = default_output_tokens
        self._spent = 0
        self._lock = threading.Lock()

    @property
    def spent(self) -> int:
        """Requests charged so far."""
        with self._lock:
            return self._spent

    @property
    def exhausted(self) -> bool:
        """True once no request is left."""
        with self._lock:
            return self.max_requests is not None and self._spent >= self.max_requests

    def charge_request(self) -> None:
        """Count one request, or raise BudgetExhausted when none is left."""
        with self._lock:
            if self.max_requests is not None and self._spent >= self.max_requests:
                raise BudgetExhausted(f"the request budget of {self.max_requests} requests is spent")
            self._spent += 1

    def cap_tokens(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with ``max_output_tokens`` set when absent (small default) or above the cap.

        A value that is not an integer is left alone: negative cases send those on purpose.
        """
        cap = self.max_output_tokens
        requested = body.get("max_output_tokens")
        if requested is None:
            limit = self.default_output_tokens if cap is None else min(cap, self.default_output_tokens)
            return {**body, "max_output_tokens": limit}
        if cap is not None and type(requested) is int and requested > cap:
            return {**body, "max_output_tokens": cap}
        return body

    def __repr__(self) -> str:
        return f"Budget(max_requests={self.max_requests}, max_output_tokens={self.max_output_tokens}, spent={self.spent})"
