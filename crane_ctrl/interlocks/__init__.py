"""Interlocks: a snapshot in, permits out, every refusal with its reasons. Pure.

:mod:`.catalogue` (every interlock and what it blocks), :mod:`.evaluate` (permits and the final
filter), :mod:`.guard` (the command guard before the link), :mod:`.invariants` (the safety
oracles shared by property tests and the rig).
"""
