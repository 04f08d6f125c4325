"""The library is parsed once per process while unchanged, and again when a file changes."""

import shutil

from scenarios import loader


def test_a_library_file_is_parsed_again_only_when_it_changes(tmp_path, monkeypatch):
    shutil.copy(loader.LIBRARY_DIR / "convenience.yaml", tmp_path / "convenience.yaml")
    monkeypatch.setattr(loader, "LIBRARY_DIR", tmp_path)
    first = loader.load("convenience")
    assert loader.load("convenience") is first
    path = tmp_path / "convenience.yaml"
    path.write_text(path.read_text().replace("name:", "name: Changed", 1))
    changed = loader.load("convenience")
    assert changed is not first and changed.name.startswith("Changed")
