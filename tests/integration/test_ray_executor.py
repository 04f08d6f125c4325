"""Ray behind run_many: same files as local processes, reruns when a worker dies."""

import gc
import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import twin.ray_backend
from scenarios import load
from scenarios.overrides import apply_everywhere
from twin.cli import app
from twin.executor import Job, JobFailed, Workers, run_job, run_many
from twin.whatif import run_arm

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=80 * 1024**2,
        log_to_driver=False,
    )
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def chain():
    return apply_everywhere(
        load("convenience"),
        {"arrivals.daily_visitors": 80, "chain": {"stores": 2}},
    )


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.suffix in (".json", ".parquet") and p.name != "run_stats.json"
    }


def test_ray_writes_the_same_bytes_as_local_processes(chain, tmp_path):
    run_arm(chain, 3, 1, tmp_path / "local", workers=1)
    args = ["run", "convenience", "--seed", "3", "--quiet", "--executor", "ray"]
    args += ["--param", "arrivals.daily_visitors=80", "--param", "chain={stores: 2}"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "ray")])
    assert result.exit_code == 0, result.output
    local, remote = files(tmp_path / "local"), files(tmp_path / "ray")
    assert "summary.json" in local and "stores/S002/visits.parquet" in local
    assert local == remote


def test_local_executor_with_a_cluster_address_is_an_error():
    args = ["run", "convenience", "--executor", "local", "--ray-address", "10.0.0.1:6379"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "error:" in result.output and "10.0.0.1:6379" in result.output


def test_a_job_whose_worker_dies_is_rerun_and_said(chain, tmp_path):
    marker = tmp_path / "died-once"

    def dies_once(job, progress=None):
        if job.store_index == 1 and not marker.exists():
            marker.touch()
            os._exit(1)
        return run_job(job, progress)

    data = chain.model_dump(mode="json")
    jobs = [Job(data, 5, i, 1, str(tmp_path / "a" / f"s{i}")) for i in range(2)]
    notes: list[str] = []
    ticks: list[float] = []
    spec = Workers(backend="ray", note=notes.append)
    outs = run_many(jobs, spec, ticks.append, runner=dies_once)
    assert ticks[-1] == 1.0 and ticks == sorted(ticks)
    assert marker.exists()
    assert len(notes) == 1 and "rerun" in notes[0] and "store 2, seed 5" in notes[0]
    assert not list((tmp_path / "a").glob(".*")), "the dead attempt's scratch folder is left"
    again = [Job(data, 5, i, 1, str(tmp_path / "b" / f"s{i}")) for i in range(2)]
    plain = run_many(again, workers=1)
    assert [files(p) for p in outs] == [files(p) for p in plain]


def test_a_job_that_raises_is_not_rerun(tmp_path):
    bad = Job({"id": "nope"}, 0, 0, 1, str(tmp_path / "x"))
    notes: list[str] = []
    with pytest.raises(JobFailed, match=r"store 1, seed 0 failed on Ray: (.|\n)*required field"):
        run_many([bad], Workers(backend="ray", note=notes.append))
    assert notes == []


def where_written(job, progress=None):
    """Write one file saying which folder the runner was given."""
    Path(job.out).mkdir(parents=True, exist_ok=True)
    (Path(job.out) / "where.json").write_text(f'"{job.out}"')
    return job.out


def test_a_worker_on_the_drivers_node_moves_its_files_into_place(tmp_path):
    jobs = [Job({}, 0, i, 1, str(tmp_path / "run" / f"s{i}")) for i in range(2)]
    outs = run_many(jobs, Workers(backend="ray"), runner=where_written)
    assert outs == [tmp_path / "run" / "s0", tmp_path / "run" / "s1"]
    for out in outs:
        scratch = (out / "where.json").read_text().strip('"')
        assert Path(scratch).parent == out.parent and Path(scratch).name.startswith(f".{out.name}.")
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["s0", "s1"]


def test_a_worker_on_another_node_returns_the_bytes_the_local_run_writes(
    chain, tmp_path, monkeypatch
):
    monkeypatch.setattr(twin.ray_backend, "driver_node", lambda: "a node with no worker")
    jobs = [Job({}, 0, i, 1, str(tmp_path / "where" / f"s{i}")) for i in range(2)]
    for out in run_many(jobs, Workers(backend="ray"), runner=where_written):
        scratch = Path((out / "where.json").read_text().strip('"'))
        assert scratch.parent != out.parent  # the worker's own scratch, shipped back as bytes
    run_arm(chain, 3, 1, tmp_path / "local", workers=1)
    run_arm(chain, 3, 1, tmp_path / "shipped", workers=Workers(backend="ray"))
    assert files(tmp_path / "local") == files(tmp_path / "shipped")


def test_through_ray_client_every_result_comes_back_to_this_machine(monkeypatch):
    from ray.util.client import ray as client

    assert twin.ray_backend.driver_node() is not None
    monkeypatch.setattr(client, "is_connected", lambda: True)
    assert twin.ray_backend.driver_node() is None


def heap(job, progress=None):
    """Write whether the worker had the twin imported and how many objects it froze."""
    Path(job.out).mkdir(parents=True, exist_ok=True)
    frozen = [gc.get_freeze_count(), "twin.run" in sys.modules]
    (Path(job.out) / "heap.json").write_text(json.dumps(frozen))
    return job.out


def test_a_ray_worker_imports_the_twin_and_freezes_its_heap_before_a_job(tmp_path):
    jobs = [Job({}, 0, i, 1, str(tmp_path / f"s{i}")) for i in range(2)]
    for out in run_many(jobs, Workers(backend="ray"), runner=heap):
        frozen, imported = json.loads((out / "heap.json").read_text())
        assert imported and frozen > 10_000
