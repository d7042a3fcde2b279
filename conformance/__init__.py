"""responses-conformance: a conformance suite and contract-testing toolkit for the Responses API."""

from conformance.__about__ import __version__
from conformance.contract.grammar import StreamGrammar
from conformance.contract.invariants import StreamInvariants, check_response
from conformance.contract.rules import Level, Rule, all_rules
from conformance.contract.sse import ServerSentEvent, parse_sse
from conformance.contract.stream import StreamResult, check_stream, check_transcript
from conformance.contract.validate import ContractValidator
from conformance.contract.violations import Violation

__all__ = [
    "ContractValidator",
    "Level",
    "Rule",
    "ServerSentEvent",
    "StreamGrammar",
    "StreamInvariants",
    "StreamResult",
    "Violation",
    "__version__",
    "all_rules",
    "check_response",
    "check_stream",
    "check_transcript",
    "parse_sse",
]
