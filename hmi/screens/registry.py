"""Every screen class by mode name (imported lazily by the app)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual.screen import Screen

__all__ = ["screen_classes"]


def screen_classes() -> Iterator[tuple[str, type[Screen[Any]]]]:
    from hmi.screens.alarms import AlarmsScreen
    from hmi.screens.comms import CommsScreen
    from hmi.screens.events import EventsScreen
    from hmi.screens.interlocks import InterlocksScreen
    from hmi.screens.io_check import IoCheckScreen
    from hmi.screens.jobs import JobsScreen
    from hmi.screens.manual import ManualScreen
    from hmi.screens.overview import OverviewScreen
    from hmi.screens.profile import ProfileScreen

    for screen in (OverviewScreen, InterlocksScreen, AlarmsScreen, JobsScreen, ManualScreen,
                   IoCheckScreen, CommsScreen, EventsScreen, ProfileScreen):  # fmt: skip
        yield screen.NAME, screen
