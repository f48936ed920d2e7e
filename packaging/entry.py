"""Entry point of the bundled application: the same command as `trainer`."""

import sys

from trainer.cli import main

if __name__ == "__main__":
    sys.exit(main())
