"""What runs the checks: cells, the context a check gets, outcome → verdict, the runner, `run`, the pytest plugin."""
