"""Simulated time: seconds since the start of the run, days and hours."""

DAY = 86400
HOUR = 3600


def day_of(t: float) -> int:
    """The run day (0 = first) that second ``t`` falls in."""
    return int(t // DAY)


def time_of_day(t: float) -> float:
    """Seconds since midnight of second ``t``."""
    return t % DAY
