import pytest

from twin.calibration import END, START, markdown, sanity_table, write_into


@pytest.fixture(scope="module")
def rows():
    return sanity_table(seed=2, days=1, visitors=600)


def test_every_intervention_has_a_row_beside_its_case(rows):
    names = {r.intervention for r in rows}
    assert {"self_checkout", "ai_loss_prevention", "smart_cart", "voice_promoter", "esl"} <= names
    by = {(r.intervention, r.case_figure): r for r in rows}
    assert by[("ai_loss_prevention", "theft loss -80%")].twin.startswith("-")
    assert by[("voice_promoter", "promoted item sales +94.38%")].twin.startswith("+")
    assert by[("esl", "labels follow prices")].twin.startswith("-")


def test_the_table_goes_between_the_markers(rows, tmp_path):
    doc = tmp_path / "calibration.md"
    doc.write_text(f"# Calibration\n\n{START}\nold\n{END}\n\nafter\n")
    write_into(doc, markdown(rows, 2, 1, 600))
    text = doc.read_text()
    assert "old" not in text and text.endswith("after\n")
    assert "storetwin calibrate --seed 2 --days 1 --visitors 600" in text
    assert text.count("| voice_promoter |") == 1
    plain = tmp_path / "plain.md"
    plain.write_text("no markers here\n")
    with pytest.raises(ValueError, match="sanity"):
        write_into(plain, "t")
