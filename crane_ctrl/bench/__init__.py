"""``crane-ctrl bench ...``: benchmarks whose last line is JSON.

:mod:`.moves` (automatic moves against a naive :mod:`.baseline`), :mod:`.scan` (scan lateness
with many cranes), :mod:`.hmi` (does the HMI delay the scan), :mod:`.sim` (simulator speed),
:mod:`.safety` (random jobs, faults, bad values and operator commands against the safety rules),
:mod:`.fuzz` (mutated profiles, sites and scenarios: no internal error, every problem located).
"""
