"""What runs the checks: the run's options and cells (``options``), the context a check gets, outcome → verdict
(``outcome``), the runner, ``run`` (``launch``) and the pytest plugin (``plugin``, ``session``)."""
