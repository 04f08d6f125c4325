"""Running the six steps in order, resuming from saved artefacts, recording each in the library.

``run_pilot(pilot, out, until="review")`` stops after a step; a later call with
the same pilot and run folder reads what is saved and carries on, so the report
is the same as from one call. A run folder belongs to one pilot: another pilot
file there is refused rather than mixed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from scenarios.pilot import library, steps
from scenarios.pilot.artefacts import (
    KINDS,
    STEPS,
    Artefact,
    Decided,
    Estimated,
    Evaluated,
    Identified,
    PilotRun,
    Reviewed,
    load,
)
from scenarios.pilot.loader import Pilot
from scenarios.pilot.twinruns import job_frames
from twin.executor import Workers

PILOT_FILE = "pilot.json"


class RunFolderError(ValueError):
    """The run folder holds another pilot's steps."""


def store_days(pilot: Pilot) -> dict[str, int]:
    """Store-days each step simulates (the progress bar's units)."""
    spec = pilot.spec
    typical = steps.typical_stores(pilot)
    reused = sum(s.scenario.format in spec.stores.formats for s in typical)  # step 3 reads them
    extra = max(spec.periods.horizon - spec.estimate.days, 0)
    return {
        "identify": 0,
        "estimate": 2 * len(typical) * spec.estimate.days + reused * extra,
        "review": (len(pilot.eligible) - reused) * spec.periods.horizon,
        "run": spec.stores.pilot * spec.periods.horizon,
        "evaluate": 0,
        "decide": 0,
    }


def claim(pilot: Pilot, out: Path) -> None:
    """Mark ``out`` as this pilot's run folder, or refuse if it holds another pilot's steps."""
    marker = out / PILOT_FILE
    if marker.exists():
        saved = json.loads(marker.read_text())
        if saved.get("digest") != pilot.digest:
            raise RunFolderError(
                f"{out} holds the steps of another pilot ({saved.get('pilot')}, digest "
                f"{saved.get('digest')}); use another --out, or delete the folder to start again"
            )
        return
    out.mkdir(parents=True, exist_ok=True)
    data = {
        "pilot": pilot.spec.versioned_id,
        "source": pilot.source,
        "digest": pilot.digest,
        "spec": pilot.spec.model_dump(mode="json"),
    }
    marker.write_text(json.dumps(data, indent=2) + "\n")


def run_pilot(
    pilot: Pilot,
    out: Path,
    until: str = "decide",
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
    services: str | None = None,
) -> dict[str, Artefact]:
    """Run (or read back) the steps up to ``until``; the artefacts by step name.

    The store runs of every step still to compute go out first, as one batch
    (``steps.planned_arms``), so no worker waits at the end of a step for the
    last store of it; each step then reads its runs from that batch. After
    ``decide`` the report (report.json, report.html) is written into ``out``.
    """
    if until not in STEPS:
        raise ValueError(f"unknown step {until!r}; steps: {', '.join(STEPS)}")
    claim(pilot, out)
    wanted = STEPS[: STEPS.index(until) + 1]
    saved = {s: load(KINDS[s], out, pilot.digest) for s in wanted}
    cost = store_days(pilot)
    todo = [s for s in wanted if saved[s] is None]
    total = sum(cost[s] for s in todo) or 1
    done = 0

    def share(step: str) -> Callable[[float], None] | None:
        if progress is None:
            return None
        return lambda x: progress((done + x * cost[step]) / total)

    arts: dict[str, Artefact] = {}
    with library.open_library(out, services) as client:
        ready, batched = None, [s for s in todo if cost[s]]
        if len(batched) > 1:
            batch = sum(cost[s] for s in batched)
            ready = job_frames(
                steps.planned_arms(pilot, out, batched),
                workers,
                None if progress is None else lambda x: progress(x * batch / total),
            )
            done, cost = batch, {s: 0 if s in batched else c for s, c in cost.items()}
        for step in wanted:
            art = saved[step]
            if art is None:
                art = _compute(step, pilot, arts, out, workers, share(step), client, ready)
                _record(client, step, art, arts)
                art.save(out)
                done += cost[step]
                if progress:
                    progress(done / total)
            arts[step] = art
    if until == "decide":
        from scenarios.pilot.report import write_report

        write_report(pilot, arts, out)
    return arts


def _compute(step, pilot, arts, out, workers, progress, client, ready) -> Artefact:
    if step == "identify":
        name = f"{pilot.spec.name} ({out.resolve().name})"
        notes = f"{pilot.spec.versioned_id} from {pilot.source}: {pilot.spec.description}".strip()
        project_id = library.enter(client, name, pilot.spec.label[:80], notes)
        return steps.identify(pilot, project_id, name)
    estimated: Estimated = arts.get("estimate")
    reviewed: Reviewed = arts.get("review")
    if step == "estimate":
        return steps.estimate(pilot, out, workers, progress, ready)
    if step == "review":
        return steps.review(pilot, estimated, out, workers, progress, ready)
    if step == "run":
        return steps.run(pilot, reviewed, out, workers, progress, ready)
    if step == "evaluate":
        ran: PilotRun = arts["run"]
        return steps.evaluate(pilot, reviewed, ran, out)
    evaluated: Evaluated = arts["evaluate"]
    return steps.decide(pilot, estimated, reviewed, arts["run"], evaluated)


def _record(client, step: str, art: Artefact, arts: dict[str, Artefact]) -> None:
    identified: Identified = arts.get("identify", art)  # type: ignore[assignment]
    pid = identified.project_id
    if isinstance(art, Estimated):
        library.record(
            client,
            pid,
            step,
            estimates={"expected": art.expected, "investment": art.investment, **art.finance},
        )
    elif isinstance(art, Reviewed):
        library.record(
            client, pid, step, pilot_stores=art.pilot_stores, reference_stores=art.reference_stores
        )
    elif isinstance(art, Evaluated):
        lifts = {
            k: {x: v[x] for x in ("estimate", "ci_low", "ci_high", "p_value")}
            for k, v in art.estimates.items()
        }
        library.record(client, pid, step, results={"lifts": lifts, **art.finance["measured"]})
    elif isinstance(art, Decided):
        library.record(
            client,
            pid,
            step,
            decision=art.decision,
            notes="; ".join(art.reasons + art.next_round)[:2000],
        )
    else:
        library.record(client, pid, step)
