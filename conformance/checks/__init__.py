"""The suite: one pytest module per feature, each check registered with ``@check`` under a stable ID."""
