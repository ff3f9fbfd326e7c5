"""How the crane is operated: PackML machine and modes, jobs, manual jogs, the yard, roles. Pure.

:mod:`.machine` (PackML states, operating modes, roles, refusals), :mod:`.jobs` (the job queue
and its states), :mod:`.manual` (jogs and manual control), :mod:`.yard_model` (the
supervisor's inventory of boxes and vehicles), :mod:`.roles` (PINs and who may do what).
"""
