"""The alarm list, read from ``template.yaml`` as CloudFormation: every ``AWS::CloudWatch::Alarm``
with what it watches, when it fires and its runbook section on the "Operating it" page.

A runbook section is a ``## LogicalId`` heading of docs/operating/runbooks.md, so its anchor is
the logical id in lower case, the same on the site and on GitHub; each alarm's
``AlarmDescription`` ends with a link to it (:func:`runbook_link`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from docs.tools import DOCS, DocsError, cell
from tests.fixtures.template import load_template

__all__ = [
    "RUNBOOKS",
    "AlarmDoc",
    "alarm_docs",
    "check_runbooks",
    "render_alarm",
    "render_alarms",
    "runbook_anchor",
    "runbook_link",
    "runbook_sections",
]

RUNBOOKS = "operating/runbooks.md"
"""The runbook page, relative to docs/."""
SECTION = re.compile(r"^## (?P<id>[A-Za-z0-9]+Alarm)\s*$", re.M)
MISSING_DATA = {
    "notBreaching": "no data keeps it OK",
    "breaching": "no data counts as breaching",
    "ignore": "no data keeps its state",
    "missing": "no data: INSUFFICIENT_DATA",
}
COMPARISONS = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


@dataclass(frozen=True)
class AlarmDoc:
    """One alarm of the template, as the alarm list shows it."""

    logical_id: str
    description: str
    watches: str
    fires_when: str


def runbook_anchor(logical_id: str) -> str:
    """The anchor of an alarm's runbook section."""
    return logical_id.lower()


def runbook_link(logical_id: str) -> str:
    """Where an ``AlarmDescription`` points the on-call: the section, from the repository root."""
    return f"docs/{RUNBOOKS}#{runbook_anchor(logical_id)}"


def _resource_name(value: Any) -> str:
    """The logical id a dimension's value refers to (``!Ref X``, ``!GetAtt X.Attr``)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return str(value)


def _seconds(period: int) -> str:
    if period % 86400 == 0:
        days = period // 86400
        return "a day" if days == 1 else f"{days} days"
    if period % 3600 == 0:
        return "an hour" if period == 3600 else f"{period // 3600} hours"
    return f"{period // 60} minutes"


def _alarm(logical_id: str, props: dict[str, Any]) -> AlarmDoc:
    dimensions = ", ".join(_resource_name(d["Value"]) for d in props.get("Dimensions", []))
    periods = int(props.get("EvaluationPeriods", 1))
    needed = int(props.get("DatapointsToAlarm", periods))
    window = _seconds(int(props["Period"]))
    span = f"in {window}" if periods == 1 else f"in {needed} of {periods} periods of {window}"
    missing = MISSING_DATA[props.get("TreatMissingData", "missing")]
    return AlarmDoc(
        logical_id=logical_id,
        description=" ".join(str(props.get("AlarmDescription", "")).split()),
        watches=f"`{props['Namespace']}` `{props['MetricName']}`"
        + (f" of {dimensions}" if dimensions else ""),
        fires_when=(
            f"{props.get('Statistic', '')} {COMPARISONS[props['ComparisonOperator']]} "
            f"{props['Threshold']:g} {span}; {missing}"
        ),
    )


def alarm_docs(template: dict[str, Any] | None = None) -> list[AlarmDoc]:
    """Every CloudWatch alarm of the template, in its order."""
    resources = (template or load_template())["Resources"]
    return [
        _alarm(logical_id, resource["Properties"])
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    ]


def runbook_sections(markdown: str | None = None) -> list[str]:
    """The alarms the runbook page has a section for (its ``## ...Alarm`` headings)."""
    text = (DOCS / RUNBOOKS).read_text() if markdown is None else markdown
    return [m["id"] for m in SECTION.finditer(text)]


def check_runbooks(alarms: list[str], sections: list[str]) -> None:
    """DocsError unless every alarm has exactly one runbook section and every section is an
    alarm's (a renamed or removed alarm leaves no orphan behind)."""
    missing = [a for a in alarms if a not in sections]
    if missing:
        raise DocsError(f"{RUNBOOKS}: no runbook section for {', '.join(missing)}")
    orphans = sorted(set(sections) - set(alarms))
    if orphans:
        raise DocsError(f"{RUNBOOKS}: sections for alarms the template does not have: {orphans}")
    twice = sorted({s for s in sections if sections.count(s) > 1})
    if twice:
        raise DocsError(f"{RUNBOOKS}: more than one section for {twice}")


def render_alarm(logical_id: str) -> str:
    """What an alarm watches, when it fires and what its description says (less the link to
    this very section): the first lines of its runbook section, from the template (DocsError
    for an alarm the template lacks)."""
    docs = {d.logical_id: d for d in alarm_docs()}
    doc = docs.get(logical_id.strip())
    if doc is None:
        raise DocsError(f"{RUNBOOKS}: {logical_id!r} is not an alarm of template.yaml")
    said = doc.description.replace(f"Runbook: {runbook_link(doc.logical_id)}", "").strip()
    return f"**What fired.** {doc.watches}: {doc.fires_when}.\n\n> {cell(said)}\n"


def render_alarms(_argument: str = "") -> str:
    """The alarm table of the runbook page; DocsError when an alarm has no runbook section or a
    section names no alarm of the template."""
    docs = alarm_docs()
    check_runbooks([d.logical_id for d in docs], runbook_sections())
    lines = ["| alarm | watches | fires when |", "|---|---|---|"]
    lines += [
        f"| [{d.logical_id}](#{runbook_anchor(d.logical_id)}) | {d.watches} | {d.fires_when} |"
        for d in docs
    ]
    return "\n".join(lines) + "\n"
