"""Motion planning for automatic moves. Pure: time comes in as arguments.

:mod:`.planner` is what the sequencer imports; :mod:`.profiles`, :mod:`.shaping`,
:mod:`.travel`, :mod:`.clearance`, :mod:`.leg` and :mod:`.rope_calibration` are its parts.
"""
