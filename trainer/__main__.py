"""`python -m trainer` runs the same command as `trainer`."""

import sys

from trainer.cli import main

sys.exit(main())
