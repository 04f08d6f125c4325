"""The COCO export: read back with pycocotools, checked against the frames' own truth."""

import hashlib
import itertools

import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from devices.vision.bench_sets import condition_names, oblique_samples, shelf_samples
from devices.vision.export import ExportError, export_coco, parse_conditions


def _digest(folder) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def test_an_oblique_export_reads_back_with_the_truths_counts_and_extras(tmp_path):
    summary = export_coco("oblique", 4, tmp_path / "ds", ["light=dim", "crowd=2,crowd=5"], seed=3)
    coco = COCO(str(tmp_path / "ds" / "annotations" / "instances.json"))
    keep = {"light": {"dim"}, "crowd": {"2", "5"}}
    truth = list(
        itertools.islice(
            oblique_samples(400, 3, keep=lambda c: all(c[k] in v for k, v in keep.items())), 4
        )
    )
    assert summary.frames == len(coco.getImgIds()) == 4
    assert summary.annotations == len(coco.getAnnIds()) == sum(s.frame.count for s in truth)
    assert summary.annotations >= 4 * 2 - 2  # a partly hidden queue may lose a head or two
    assert coco.loadCats(coco.getCatIds())[0]["name"] == "person"
    for image_id, sample in zip(sorted(coco.getImgIds()), truth, strict=True):
        image = coco.loadImgs(image_id)[0]
        assert image["condition"] == sample.condition and image["condition"]["light"] == "dim"
        assert (tmp_path / "ds" / "images" / image["file_name"]).stat().st_size > 0
        anns = coco.loadAnns(coco.getAnnIds(imgIds=image_id))
        assert [a["person_id"] for a in anns] == [p.pid for p in sample.frame.people]
        for a, person in zip(anns, sample.frame.people, strict=True):
            x, y, w, h = a["bbox"]
            assert x >= 0 and x + w <= 640.01 and y >= 0 and y + h <= 480.01
            assert a["area"] == pytest.approx(w * h, abs=0.05) and a["iscrowd"] == 0
            hx, hy, hw, hh = a["head_bbox"]  # COCO's [x, y, w, h], inside the person's box
            assert x <= hx and hx + hw <= x + w + 0.01 and y <= hy and hy + hh <= y + h + 0.01
            assert a["occlusion"] == pytest.approx(1 - person.visible, abs=1e-4)
            assert a["distance"].split()[0] in {"near", "mid", "far"} and a["distance_m"] > 1
    assert summary.bytes == sum(p.stat().st_size for p in (tmp_path / "ds").rglob("*.*"))
    truth_as_found = [
        {"image_id": a["image_id"], "category_id": 1, "bbox": a["bbox"], "score": 1.0}
        for a in coco.loadAnns(coco.getAnnIds())
    ]
    scored = COCOeval(coco, coco.loadRes(truth_as_found), "bbox")
    scored.evaluate()
    scored.accumulate()
    scored.summarize()
    assert scored.stats[0] == pytest.approx(1.0)  # COCO's own evaluation reads it as it is


def test_a_shelf_export_carries_each_tags_text_and_prices(tmp_path):
    export_coco("shelf", 2, tmp_path / "ds", ["far"], image_format="png")
    coco = COCO(str(tmp_path / "ds" / "annotations" / "instances.json"))
    truth = list(itertools.islice(shelf_samples(50, 0, keep=lambda c: c["distance"] == "far"), 2))
    assert len(coco.getImgIds()) == 2
    tags = [t for s in truth for t in s.frame.tags]
    anns = coco.loadAnns(sorted(coco.getAnnIds()))
    assert len(anns) == len(tags) == 12
    for a, tag in zip(anns, tags, strict=True):
        assert (a["sku"], a["shown_cents"], a["price_cents"]) == (
            tag.sku,
            tag.shown_cents,
            tag.price_cents,
        )
        assert a["text"].startswith(tag.name) and a["price_text"] in a["text"]
        assert a["stale"] == (tag.shown_cents != tag.price_cents) and a["distance"] == "far"
    assert coco.loadImgs(1)[0]["file_name"].endswith(".png")


def test_the_same_export_twice_is_the_same_bytes_and_never_over_another(tmp_path):
    export_coco("shelf", 1, tmp_path / "a", ["dim"])
    export_coco("shelf", 1, tmp_path / "b", ["dim"])
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    with pytest.raises(ExportError, match="already holds an export"):
        export_coco("shelf", 1, tmp_path / "a")


@pytest.mark.parametrize("view", ["oblique", "shelf"])
def test_condition_names_are_the_labels_the_bench_gives(view):
    seen: dict[str, set[str]] = {}

    def record(labels: dict[str, str]) -> bool:
        for k, v in labels.items():
            seen.setdefault(k, set()).add(v)
        return False  # nothing is drawn

    make = oblique_samples if view == "oblique" else shelf_samples
    frames = 6 * 2 * 7 * 2 if view == "oblique" else 84  # every look of every pose and store
    assert list(make(frames, 0, keep=record)) == []
    assert seen == {k: set(v) for k, v in condition_names(view).items()}


def test_conditions_are_parsed_by_name_or_key_and_bad_ones_are_named():
    assert parse_conditions("oblique", ["dim,bright", "crowd=0"]) == {
        "light": frozenset({"dim", "bright"}),
        "crowd": frozenset({"0"}),
    }
    assert parse_conditions("top", ["6+"]) == {"crowd": frozenset({"6+"})}
    with pytest.raises(ExportError, match=r"unknown condition 'foggy'.*light=dim\|normal\|bright"):
        parse_conditions("oblique", ["foggy"])
    with pytest.raises(ExportError, match="unknown condition 'bright' for the top view"):
        parse_conditions("top", ["bright"])
    with pytest.raises(ExportError, match="unknown condition 'crowd=9'"):
        parse_conditions("oblique", ["crowd=9"])
    with pytest.raises(ExportError, match="unknown view"):
        parse_conditions("side", [])
