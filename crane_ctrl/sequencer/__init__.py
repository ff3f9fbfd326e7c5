"""The automatic move: the pick-and-drop step machine and its parts. Pure.

:mod:`.automatic_move` (:class:`~crane_ctrl.sequencer.automatic_move.Sequencer`: the start, the
scan, the spreader's steps), :mod:`.base` (steps, settings, holds and bookkeeping), :mod:`.leg`,
:mod:`.operator`, :mod:`.wind` (the step mixins), :mod:`.sway` (watching the load swing) and
:mod:`.transfer` (one container's move as every controller sees it).
"""
