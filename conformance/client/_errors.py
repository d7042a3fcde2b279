"""Why the harness could not judge a cell: each is a ``HarnessError``, so the verdict is ``error``."""

from __future__ import annotations


class HarnessError(Exception):
    """The harness could not judge: auth, network, 429 after the retries, budget spent."""


class TargetUnreachable(HarnessError):
    """A network error or timeout: the target gave no HTTP answer (the message carries no secret)."""


class RateLimited(HarnessError):
    """The target still answered 429 after the bounded retries."""


class BudgetExhausted(HarnessError):
    """The run's request budget is spent: the run stops cleanly with a partial report."""


class CredentialError(HarnessError):
    """No token could be had from the Entra ID credential."""
