"""The automatic move: the pick-and-drop step machine and its parts. Pure.

The move is a step table (:mod:`.steps`): one :class:`~.machine.StepHandler` per
:class:`~.model.Step`, saying what the step commands each scan, how it ends, how long it may take,
what entering it resets, where a resume goes on after a hold in it, what STOP and ABORT do in it,
and how it meets a trip, a wind stop, contact and a refused motion. :class:`~.machine.StepMachine`
walks the table for the job's :class:`~.run.Run` (the one object that holds a job's state) with
the crane context (:class:`~.controller.CraneContext`: parameters, yard, settings, rope, events,
the planner);
:class:`~.automatic_move.Sequencer` is the façade the supervisor, the station and the tests use.

The modules, each named for what it holds (lower ones never import higher ones):

- :mod:`.model` (steps, outcome, settings), :mod:`.transfer` (one container's move as every
  controller sees it), :mod:`.readings` (what a snapshot says), :mod:`.safety` (when a move
  holds and may go on), :mod:`.sway` (watching the load swing), :mod:`.planning` (slow work
  asked of a planner and never waited on), :mod:`.leg_drive` (a leg's plan under way, and what
  it is planned from), :mod:`.handover` (the operator's jogs), :mod:`.places` (where a box may
  go down);
- :mod:`.run` (the job's state), :mod:`.controller` (the crane context and the job slot, shared
  with the benchmark's baseline), :mod:`.machine` (the table's shape and the step machine);
- the handlers: :mod:`.leg` (raise, travel), :mod:`.landing` (lower), :mod:`.settle` (settle
  sway), :mod:`.spreader` (lock, trial lift, set back down, unlock, raise clear),
  :mod:`.operator` (the SEMIAUTOMATIC hand-over), :mod:`.wind` (the wind stop),
  :mod:`.trial_lift` (the trial lift cut short: the box set back in a hold, the job not ended
  while it hangs unweighed);
- :mod:`.steps` (the table) and :mod:`.automatic_move` (the :class:`Sequencer`).
"""
