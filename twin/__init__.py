"""The twin kernel: clock, store model, layout, runs and their results."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("storetwin")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
