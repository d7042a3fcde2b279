"""The contract core: pure functions over Responses API objects and streams (no I/O beyond its own data)."""
