"""Links to the PLC: one small protocol (:mod:`.base`), and Modbus, OPC UA and in-memory twins.

Only :mod:`.modbus` imports pymodbus and only :mod:`.opcua` imports asyncua.
"""
