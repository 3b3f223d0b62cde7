"""``python -m readiness``: the same as the ``readiness`` command."""

import sys

from readiness.cli import main

sys.exit(main())
