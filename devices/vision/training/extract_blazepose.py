"""Re-extract the vendored BlazePose detector from its PyPI wheel and check it.

The mediapipe wheel pins old numpy/jax, so the project vendors one file from it
instead of depending on it. This script shows where that file came from and
proves the vendored copy is byte-identical::

    pip download mediapipe==0.10.21 --no-deps -d /tmp/mp
    python -m devices.vision.training.extract_blazepose /tmp/mp/mediapipe-0.10.21-*.whl

Without ``--write`` it only verifies; with it, it (re)writes the model and licence.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "blazepose"


def provenance() -> dict:
    """The recorded provenance of the vendored file."""
    return json.loads((ASSETS / "PROVENANCE.json").read_text(encoding="utf-8"))


def extract(wheel: Path, write: bool = False) -> str:
    """Read the model out of ``wheel``; returns its sha256.

    Raises:
        ValueError: When the wheel's file or the vendored copy differs from the record.
    """
    record = provenance()
    if wheel.name != record["wheel"]:
        raise ValueError(f"expected {record['wheel']}, got {wheel.name}")
    with zipfile.ZipFile(wheel) as zf:
        blob = zf.read(record["path"])
        licence = zf.read(record["license_file"])
    digest = hashlib.sha256(blob).hexdigest()
    if digest != record["sha256"]:
        raise ValueError(f"wheel holds sha256 {digest}, provenance says {record['sha256']}")
    target = ASSETS / record["file"]
    if write:
        target.write_bytes(blob)
        (ASSETS / "LICENSE").write_bytes(licence)
    elif hashlib.sha256(target.read_bytes()).hexdigest() != digest:
        raise ValueError(f"vendored {target} differs from the wheel's file")
    return digest


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="the downloaded mediapipe wheel")
    parser.add_argument("--write", action="store_true", help="write the model and licence")
    args = parser.parse_args(argv)
    try:
        digest = extract(args.wheel, args.write)
    except (ValueError, KeyError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"ok {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
