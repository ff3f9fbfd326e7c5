"""Alarms after ISA-18.2: states, the engine that annunciates them, and their conditions. Pure.

:mod:`.states` (one alarm's states and records), :mod:`.engine` (the alarm system),
:mod:`.conditions` (what raises each alarm, from a snapshot, permits and link health),
:mod:`.profile_alarms` (the alarms a PLC profile adds, over its points and signals).
"""
