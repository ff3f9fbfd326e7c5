"""PLC profiles: which PLC place holds each canonical signal, and how to read and write it.

:mod:`.model` (the profile types), :mod:`.loader` (a file to a checked profile),
:mod:`.rules` (checks across signals; :mod:`.derived_rules` for points and derived signals,
:mod:`.point_rules` for what a point says of itself, :mod:`.alarm_rules` for the profile's
alarms),
:mod:`.schema` (JSON schema for editors), :mod:`.diff` (what changed between two profiles),
:mod:`.shipped` (the profiles in ``plc_profiles/``), the codec: :mod:`.codec`,
:mod:`.modbus_map`, :mod:`.opcua_map`, :mod:`.rawtypes` (raw words or variants <-> engineering
values), and derived signals: :mod:`.expression` (the language), :mod:`.derived` (points and
derived signals computed after decoding). Pure: no sockets, no clock.
"""
