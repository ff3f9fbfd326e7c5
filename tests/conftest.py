"""The whole test run scans at an ordinary priority: the station's own (nice -10,
:mod:`crane_ctrl.runtime.scan_priority`) given to the many stations the tests start at once,
in their processes and in the tests' own, would starve the simulators, brokers and clients of
the other tests on a 2-core machine. Processes the tests start inherit it. The priority itself
is tested where it is set (``tests/unit/test_scan_priority.py``, ``bench realtime``)."""

from __future__ import annotations

import os

from crane_ctrl.runtime.scan_priority import SCAN_NICE_ENV

os.environ.setdefault(SCAN_NICE_ENV, "0")
