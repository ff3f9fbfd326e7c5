"""The bundled crane simulator: a pure physical crane model (drives, load pendulum, spreader,
yard) that the simulated PLC stands on.

:class:`simulators.plant.Plant` is the entry point: set its inputs, ``step(dt)``, read
``sensors()`` (canonical signal names) and ``faults`` (what a real crane would have suffered).
Nothing here reads a wall clock or does I/O; time advances only through ``dt``.
"""
