"""Run authlint as ``python -m authlint``."""

import sys

from authlint.cli import main

sys.exit(main())
