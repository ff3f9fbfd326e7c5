"""Configuration files: TOML read into strict pydantic models, every problem located.

:mod:`.file` loads and validates; :mod:`.toml_lines` finds the line of a key path;
:mod:`.messages` turns pydantic errors into sentences that say the fix. Pure but for reading the
file it is given.
"""
