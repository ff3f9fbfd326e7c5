"""Typing as a fast typist, or a paste, does: every key sent to the app at once, then one wait.

``Pilot.press`` waits for the app to go idle after each key (two 20-ms sleeps at least), which is
most of the cost of the tests that type every bound key into every field. Here each key becomes
the same ``Key`` event ``Pilot.press`` makes (Textual 8's own conversion), all are sent in order,
and the test waits once: the app still handles them one by one, in order, each with the focus
and screen the keys before it left; only nothing waits between them, as nothing does for a
person typing fast. A key that fired an action would show as surely (a command sent, a screen
changed, the field not holding what was typed).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot

__all__ = ["type_at_once"]


async def type_at_once(pilot: Pilot[object], keys: Iterable[str]) -> None:
    """Send ``keys`` (key names or characters, as for ``Pilot.press``) and wait until the app
    has handled them."""
    app = pilot.app
    driver = app._driver
    assert driver is not None, "run the app with run_test() first"
    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        char: str | None
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(name, name)))
        except KeyError:
            char = name if len(name) == 1 else None
        event = events.Key(name, char)
        event.set_sender(app)
        driver.send_message(event)
    await pilot.pause()
    await pilot.pause()
