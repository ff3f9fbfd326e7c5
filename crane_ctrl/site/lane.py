"""A lane under the crane where road trucks or AGVs stand, by its real position."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crane_ctrl.errors import SettingsError
from crane_ctrl.site.containers import CONTAINER_SIZES, Footprint

__all__ = ["Lane"]

_CONFIG = ConfigDict(strict=True, frozen=True, extra="forbid")


class Lane(BaseModel):
    """A lane under the crane where a road truck or an AGV stands.

    A vehicle stands with its deck centre anywhere in ``x_min_m .. x_max_m``: where the site
    file or the terminal says, else at the lane's stop for the container it brings or comes for
    (:meth:`stop_x`). A vehicle carries one container, centred on its deck.
    """

    model_config = _CONFIG

    id: str = Field(min_length=1)
    """Lane name, unique on the site (e.g. ``T1``)."""
    y_m: float
    """Trolley coordinate of the lane centre, m."""
    deck_height_m: float = Field(gt=0)
    """Height of the vehicle's deck (container underside) above ground, m (A)."""
    x_min_m: float
    """Lowest gantry coordinate of a vehicle's deck centre in this lane, m."""
    x_max_m: float
    """Highest gantry coordinate of a vehicle's deck centre in this lane, m."""
    stop_x_m: float
    """The marked stop position: where a vehicle's deck centre stands by default, m."""
    stop_x_20ft_m: float | None = None
    """Where a vehicle bringing or coming for a 20-ft container stops (deck centre), when not
    at ``stop_x_m``, m."""
    stop_x_40ft_m: float | None = None
    """The same for a 40-ft container, m."""
    stop_x_45ft_m: float | None = None
    """The same for a 45-ft container, m."""
    deck_length_m: float = Field(default=13.6, gt=0)
    """Length of the vehicle's deck along x, m (A)."""
    deck_width_m: float = Field(default=2.5, gt=0)
    """Width of the vehicle's deck along y, m (A)."""

    def stop_x(self, size_ft: int | None = None) -> float:
        """Where a vehicle with (or coming for) a ``size_ft`` container stops, m."""
        by_size = {20: self.stop_x_20ft_m, 40: self.stop_x_40ft_m, 45: self.stop_x_45ft_m}
        own = by_size.get(size_ft) if size_ft is not None else None
        return self.stop_x_m if own is None else own

    def deck_ground(self) -> Footprint:
        """The ground a vehicle's deck may cover in this lane: its deck wherever its centre
        stands in ``x_min_m .. x_max_m``."""
        half_l, half_w = self.deck_length_m / 2, self.deck_width_m / 2
        return Footprint(
            self.x_min_m - half_l, self.x_max_m + half_l, self.y_m - half_w, self.y_m + half_w
        )

    def stops(self) -> dict[str, float]:
        """Every stop the lane gives, by its setting's name."""
        named = {"stop_x_m": self.stop_x_m}
        for size in CONTAINER_SIZES:
            value = getattr(self, f"stop_x_{size}ft_m")
            if value is not None:
                named[f"stop_x_{size}ft_m"] = value
        return named

    @model_validator(mode="after")
    def _stops_in_range(self) -> Self:
        problems = [
            ((name,), f"lane {self.id}: {name} {x} must lie in x_min_m..x_max_m "
                      f"({self.x_min_m}..{self.x_max_m}); move the stop or widen the lane")
            for name, x in self.stops().items()
            if not self.x_min_m <= x <= self.x_max_m
        ]  # fmt: skip
        if problems:
            raise SettingsError(problems)
        return self
