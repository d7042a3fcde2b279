"""The report model and its writers: one model, one ``write(report, out)`` per format."""
