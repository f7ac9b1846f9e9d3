"""Evaluation cycles (school years): the current one, and all of them."""

from ..data import CycleData
from ..models import Cycle
from ._shared import current_cycle_row, cycle_data


def current_cycle() -> CycleData:
    """The cycle marked current, else the one under way today; NotFound when there is neither."""
    return cycle_data(current_cycle_row())


def list_cycles() -> list[CycleData]:
    return [cycle_data(c) for c in Cycle.objects.order_by("-starts_on")]
