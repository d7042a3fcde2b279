"""The httpx client of the suite: URL styles, auth, SSE, retries, budget, cleanup and redacted evidence."""

from conformance.client._auth import ApiKeyAuth, BearerAuth, EntraAuth
from conformance.client._budget import Budget
from conformance.client._cleanup import CleanupRegistry
from conformance.client._errors import BudgetExhausted, CredentialError, RateLimited, TargetUnreachable
from conformance.client._evidence import Evidence
from conformance.client._redact import Secrets, redact_headers, redact_json, redact_url
from conformance.client._retry import Attempt, CoolDown, RetryPolicy
from conformance.client._sse import EventStream, StreamInterrupted
from conformance.client._target import ApiStyle, Target
from conformance.client.client import ApiResponse, ResponsesClient

__all__ = [
    "ApiKeyAuth",
    "ApiResponse",
    "ApiStyle",
    "Attempt",
    "BearerAuth",
    "Budget",
    "BudgetExhausted",
    "CleanupRegistry",
    "CoolDown",
    "CredentialError",
    "EntraAuth",
    "EventStream",
    "Evidence",
    "RateLimited",
    "ResponsesClient",
    "RetryPolicy",
    "Secrets",
    "StreamInterrupted",
    "Target",
    "TargetUnreachable",
    "redact_headers",
    "redact_json",
    "redact_url",
]
