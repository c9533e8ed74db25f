"""Every alarm of template.yaml is on the runbook page: a row in its table, a section with every
part an on-call needs, and an ``AlarmDescription`` that links to that section."""

from __future__ import annotations

import re

import pytest

from docs.tools import DOCS, DocsError
from docs.tools.alarms import (
    RUNBOOKS,
    alarm_docs,
    check_runbooks,
    render_alarm,
    render_alarms,
    runbook_anchor,
    runbook_link,
    runbook_sections,
)
from tests.fixtures.template import load_template

TEMPLATE = load_template()
ALARMS = [
    name
    for name, resource in TEMPLATE["Resources"].items()
    if resource["Type"] == "AWS::CloudWatch::Alarm"
]
PARTS = (
    "**Likely causes, in order",
    "**See what happened.**",
    "**Fix or roll back.**",
    "**Cleared when**",
)
"""What each runbook section holds besides its generated 'What fired'."""


def runbook_section(logical_id: str) -> str:
    text = (DOCS / RUNBOOKS).read_text()
    parts = re.split(r"^## ", text, flags=re.M)
    found = [p for p in parts if p.startswith(f"{logical_id}\n")]
    assert len(found) == 1, logical_id
    return found[0]


def test_the_template_has_alarms() -> None:
    assert len(ALARMS) >= 11
    assert [d.logical_id for d in alarm_docs()] == ALARMS


@pytest.mark.parametrize("logical_id", ALARMS)
def test_every_alarm_has_its_row_and_its_runbook(logical_id: str) -> None:
    assert f"| [{logical_id}](#{logical_id.lower()}) |" in render_alarms()
    assert logical_id in runbook_sections()
    body = runbook_section(logical_id)
    assert f"<!-- generated: alarm {logical_id} -->" in body
    for part in PARTS:
        assert part in body, f"{logical_id}: no {part}"


@pytest.mark.parametrize("logical_id", ALARMS)
def test_every_alarm_description_links_its_runbook(logical_id: str) -> None:
    """The on-call reads the description in the notification: it says where to go."""
    description = " ".join(
        str(TEMPLATE["Resources"][logical_id]["Properties"]["AlarmDescription"]).split()
    )
    assert runbook_link(logical_id) in description, (
        f"{logical_id}: its AlarmDescription should end with 'Runbook: {runbook_link(logical_id)}'"
    )


def test_the_anchor_is_the_heading_s_on_the_site_and_on_github() -> None:
    assert runbook_anchor("RetrainFailedAlarm") == "retrainfailedalarm"
    assert runbook_link("RetrainFailedAlarm") == ("docs/operating/runbooks.md#retrainfailedalarm")


def test_a_missing_an_orphaned_or_a_doubled_section_stops_the_build() -> None:
    check_runbooks(["AAlarm", "BAlarm"], ["BAlarm", "AAlarm"])
    with pytest.raises(DocsError, match="no runbook section for BAlarm"):
        check_runbooks(["AAlarm", "BAlarm"], ["AAlarm"])
    with pytest.raises(DocsError, match="does not have: \\['OldAlarm'\\]"):
        check_runbooks(["AAlarm"], ["AAlarm", "OldAlarm"])
    with pytest.raises(DocsError, match="more than one section"):
        check_runbooks(["AAlarm"], ["AAlarm", "AAlarm"])


def test_sections_are_the_alarm_headings_only() -> None:
    text = "# Runbooks\n\n## For every alarm\n\n## XFailedAlarm\n\ntext\n\n### XAlarm detail\n"
    assert runbook_sections(text) == ["XFailedAlarm"]


def test_what_fired_is_read_from_the_template() -> None:
    block = render_alarm("RefreshSilentAlarm")
    assert block.startswith("**What fired.** `AWS/Lambda` `Invocations` of RefreshFunction: ")
    assert "Sum < 1 in 2 of 2 periods of a day; no data counts as breaching." in block
    assert "> The refresh function was not invoked for two days" in block
    with pytest.raises(DocsError, match=re.escape("not an alarm of template.yaml")):
        render_alarm("NoSuchAlarm")


def test_the_section_does_not_quote_its_own_link(monkeypatch: pytest.MonkeyPatch) -> None:
    from docs.tools import alarms

    linked = {
        "Resources": {
            "XAlarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmDescription": f"It broke. Runbook: {runbook_link('XAlarm')}",
                    "Namespace": "cryptonic",
                    "MetricName": "Broken",
                    "Statistic": "Sum",
                    "Period": 300,
                    "Threshold": 1,
                    "ComparisonOperator": "GreaterThanThreshold",
                    "TreatMissingData": "ignore",
                },
            }
        }
    }
    monkeypatch.setattr(alarms, "load_template", lambda: linked)
    assert render_alarm("XAlarm") == (
        "**What fired.** `cryptonic` `Broken`: Sum > 1 in 5 minutes; no data keeps its state."
        "\n\n> It broke.\n"
    )


def test_a_small_template_reads_as_a_reader_says_it() -> None:
    template = {
        "Resources": {
            "QueueAlarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmDescription": "Messages\n  <wait>.",
                    "Namespace": "AWS/SQS",
                    "MetricName": "ApproximateNumberOfMessagesVisible",
                    "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Dlq", "Name"]}}],
                    "Statistic": "Maximum",
                    "Period": 7200,
                    "EvaluationPeriods": 1,
                    "Threshold": 1,
                    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                },
            },
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        }
    }
    (doc,) = alarm_docs(template)
    assert doc.watches == "`AWS/SQS` `ApproximateNumberOfMessagesVisible` of Dlq"
    assert doc.fires_when == "Maximum >= 1 in 2 hours; no data: INSUFFICIENT_DATA"
    assert doc.description == "Messages <wait>."
