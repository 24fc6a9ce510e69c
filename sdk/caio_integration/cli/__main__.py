"""``python -m caio_integration.cli``: the ``caio`` command."""

import sys

from . import main

sys.exit(main())
