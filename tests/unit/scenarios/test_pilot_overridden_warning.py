"""A warning the pilot file overrode does not say it holds back the roll-out that happened.

With ``decision.allow_underpowered: true`` the summary printed "decision: roll_out" over
"! balance 0.3008 (threshold 0.25) (holds back a roll-out)", and report.html did the same.
"""

from scenarios.pilot import page
from twin.commands.pilot import warning_lines

BALANCE = {
    "check": "balance",
    "figure": 0.3008,
    "threshold": 0.25,
    "meaning": "the pilot stores were unlike their references",
    "blocks_roll_out": True,
}
CALENDAR = {**BALANCE, "check": "calendar", "blocks_roll_out": False}


def test_a_blocking_warning_says_it_held_back_only_when_it_did():
    assert page.held(BALANCE, "next_round") == " (holds back a roll-out)"
    overridden = page.held(BALANCE, "roll_out")
    assert "holds back" not in overridden and "decision.allow_underpowered" in overridden
    assert page.held(CALENDAR, "roll_out") == page.held(CALENDAR, "next_round") == ""


def test_the_summary_and_the_page_agree_with_the_decision():
    line = warning_lines([BALANCE], "roll_out")[1]
    assert "overridden by decision.allow_underpowered" in line and "(holds back" not in line
    assert "(holds back a roll-out)" in warning_lines([BALANCE], "next_round")[1]
    html = page.warnings([BALANCE], "roll_out")
    assert "overridden by decision.allow_underpowered" in html and "(holds back" not in html
