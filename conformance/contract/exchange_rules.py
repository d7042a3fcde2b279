"""The exchange rules: judges that need no probe of their own, applied to any observed session.

``judge(session)`` runs every rule (or the ones named) and returns their outcomes; each rule is a named pure
function registered in the rule catalogue under an ``exchange.*`` ID.
"""

from __future__ import annotations

from collections.abc import Iterable

from conformance.contract import _answer_rules, _lifecycle_rules, _listing_rules, _parameter_rules
from conformance.contract._judging import REGISTRY, ExchangeRule, Outcome
from conformance.contract.exchange import Exchange, Session

__all__ = ["Exchange", "ExchangeRule", "Outcome", "Session", "exchange_rules", "judge"]
_MODULES = (_answer_rules, _lifecycle_rules, _listing_rules, _parameter_rules)  # importing them registers their rules


def exchange_rules() -> list[ExchangeRule]:
    """Every exchange rule, sorted by ID."""
    return [REGISTRY[rule_id] for rule_id in sorted(REGISTRY)]


def judge(session: Session, only: Iterable[str] | None = None) -> list[Outcome]:
    """The outcomes of every exchange rule (or of the rules ``only`` names) on one session, rule by rule."""
    wanted = None if only is None else set(only)
    unknown = (wanted or set()) - set(REGISTRY)
    if unknown:
        raise ValueError(f"unknown exchange rule(s): {', '.join(sorted(unknown))}")
    return [outcome for rule in exchange_rules() if wanted is None or rule.id in wanted for outcome in rule(session)]
