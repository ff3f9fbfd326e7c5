"""``python -m crane_ctrl`` runs the ``crane-ctrl`` command."""

import sys

from crane_ctrl.cli.main import main

sys.exit(main())
