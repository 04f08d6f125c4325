"""The six-step pilot method: pilot vs comparable reference stores, judged against the twin's truth.

``load_pilot`` reads a pilot file; ``run_pilot`` runs (or resumes) its steps and
writes the report; ``validate`` measures the estimators on many small pilots.
"""

from scenarios.pilot.artefacts import STEPS
from scenarios.pilot.loader import Pilot, PilotError, load_pilot, parse_pilot
from scenarios.pilot.method import RunFolderError, run_pilot

__all__ = [
    "STEPS",
    "Pilot",
    "PilotError",
    "RunFolderError",
    "load_pilot",
    "parse_pilot",
    "run_pilot",
]
