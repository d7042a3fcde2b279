"""``python -m conformance.cli``: the command line."""

from conformance.cli import main

if __name__ == "__main__":
    main()
