"""``crane-ctrl commission``: the integrator's I/O check and site acceptance test of a live PLC.

Against the real PLC over the real link, with the supervisor and its interlocks scanning it as
in ``crane-ctrl run`` (every command commissioning asks for is filtered by them), five stages
(:mod:`crane_ctrl.commission.runner`), each check ending pass, fail, skip or assumed with a
reason and what was measured (:mod:`crane_ctrl.commission.outcome`):

1. link (:mod:`~crane_ctrl.commission.link_check`): connects in time, PLC heartbeat advancing;
2. I/O check (:mod:`~crane_ctrl.commission.io_check`): every canonical status signal, missing,
   bad, stale or frozen;
3. fail-safe sense (:mod:`~crane_ctrl.commission.failsafe`): each fail-safe input reads false
   when the engineer operates it (:mod:`~crane_ctrl.commission.safety_inputs`);
4. commands (:mod:`~crane_ctrl.commission.command_checks`): reset, a slow jog per axis
   (:mod:`~crane_ctrl.commission.jog`), lock refused unless seated;
5. watchdog (:mod:`~crane_ctrl.commission.watchdog`): our heartbeat frozen, the PLC trips; a
   reset clears it.

The report (:mod:`~crane_ctrl.commission.report`) goes to Markdown and JSON. Timeouts, speeds
and distances are :class:`~crane_ctrl.commission.settings.CommissionSettings`.

The package imports nothing itself (the command line loads it only when the command runs):
import from its modules, e.g. :func:`crane_ctrl.commission.runner.commission`.
"""
