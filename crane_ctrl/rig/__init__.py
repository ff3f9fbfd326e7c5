"""Test rigs: scenario files that drive the simulator (or a PLC) and judge what happens.

``crane-ctrl rig run SCENARIO...`` (:mod:`crane_ctrl.cli.rig`). A scenario names a PLC profile,
a site, jobs, faults at times or on conditions, operator actions and expectations
(:mod:`~crane_ctrl.rig.scenario`, loaded by :mod:`~crane_ctrl.rig.loading`); conditions are a
small safe language (:mod:`~crane_ctrl.rig.conditions`, names in
:mod:`~crane_ctrl.rig.vocabulary`). A :class:`~crane_ctrl.rig.session.Session` plays the script
around the supervisor and records every scan (:mod:`~crane_ctrl.rig.timeline`); the
:mod:`~crane_ctrl.rig.runner` drives it in lock-step, in real time or against a PLC;
:mod:`~crane_ctrl.rig.expectations` judges the record; :mod:`~crane_ctrl.rig.report` and
:mod:`~crane_ctrl.rig.plot` write the summary, JUnit XML, CSV and PNG.
"""
