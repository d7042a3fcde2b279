"""responses-conformance: a conformance suite and contract-testing toolkit for the Responses API."""

from conformance.__about__ import __version__

__all__ = ["__version__"]
