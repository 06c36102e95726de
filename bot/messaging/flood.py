"""Flood control: how many updates one person may send in a minute. Pure, clock given."""

from __future__ import annotations

from collections import deque
from enum import Enum

__all__ = ["FloodGate", "Verdict"]

WINDOW_SECONDS = 60.0
# People tracked before those quiet for a whole window are forgotten.
TRACKED = 10_000


class Verdict(Enum):
    ADMIT = "admit"
    REFUSE_AND_WARN = "refuse and warn"  # the first refusal in a window: say why, once
    REFUSE = "refuse"


class FloodGate:
    """Admits up to ``per_minute`` updates per person in any 60 seconds; refuses the rest
    (refused ones do not count), warning once per window."""

    def __init__(self, per_minute: int) -> None:
        self._per_minute = per_minute
        self._admitted: dict[int, deque[float]] = {}
        self._warned_at: dict[int, float] = {}

    def check(self, person: int, now: float) -> Verdict:
        """Whether ``person``'s update arriving at ``now`` (seconds) is let through."""
        times = self._admitted.setdefault(person, deque())
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        if len(times) < self._per_minute:
            times.append(now)
            if len(self._admitted) > TRACKED:
                self._forget_quiet(now)
            return Verdict.ADMIT
        warned = self._warned_at.get(person)
        if warned is not None and warned > now - WINDOW_SECONDS:
            return Verdict.REFUSE
        self._warned_at[person] = now
        return Verdict.REFUSE_AND_WARN

    def _forget_quiet(self, now: float) -> None:
        quiet = [p for p, times in self._admitted.items() if times[-1] <= now - WINDOW_SECONDS]
        for person in quiet:
            del self._admitted[person]
            self._warned_at.pop(person, None)
