"""How run_many's Ray backend starts or joins Ray, decided without starting it."""

from twin.ray_backend import init_options


def test_a_local_ray_gets_as_many_cpus_as_workers(monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert init_options(None, 2)["num_cpus"] == 2
    assert init_options(None, 2)["address"] is None
    assert "num_cpus" not in init_options(None)  # all the machine's cores
    assert init_options(None, 1)["include_dashboard"] is False


def test_a_cluster_keeps_its_own_cpus(monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    joined = init_options("10.0.0.1:6379", 2)
    assert joined["address"] == "10.0.0.1:6379" and "num_cpus" not in joined
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.2:6379")
    from_env = init_options(None, 2)
    assert from_env["address"] == "10.0.0.2:6379" and "num_cpus" not in from_env
