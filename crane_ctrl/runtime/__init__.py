"""The running crane: the scan, the station, the journal, and hosting them in real time.

:mod:`.supervisor` (the scan loop: read, interlocks, sequencer, write), :mod:`.station` (the one
interface for operators), :mod:`.automation` (jobs under the PackML machine), :mod:`.journal`
(SQLite event journal), :mod:`.recorder` (what changed, scan to scan); hosting:
:mod:`.host` (a station scanning in its own thread), :mod:`.loop_thread`, :mod:`.gc_pacing`,
:mod:`.bridge` (the seam the HMI uses), :mod:`.demo` and :mod:`.sim_service` (the one-command
demo over a simulated PLC).
"""
