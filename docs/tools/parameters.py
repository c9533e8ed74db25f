"""The stack's interface, read from ``template.yaml``: each deploy parameter's group (the
console's ParameterGroups), default, allowed values, description and the env names of the
functions it sets; and each stack output with its description. The deploy page's tables are the
template's own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docs.tools import cell
from tests.fixtures.template import load_template

__all__ = ["ParameterDoc", "parameter_docs", "render_outputs", "render_parameters"]


@dataclass(frozen=True)
class ParameterDoc:
    """One template parameter as the deploy page shows it."""

    name: str
    group: str
    env: tuple[str, ...]
    default: str
    allowed: str
    description: str


def _refers_to(value: Any, name: str) -> bool:
    """Whether a CloudFormation value uses the parameter (``!Ref``, ``!If``, ``!Sub ${X}``)."""
    if isinstance(value, dict):
        if value.get("Ref") == name:
            return True
        return any(_refers_to(v, name) for v in value.values())
    if isinstance(value, list):
        return any(_refers_to(v, name) for v in value)
    return isinstance(value, str) and "${" + name + "}" in value


def _environments(template: dict[str, Any]) -> list[dict[str, Any]]:
    """The Globals' and every function's environment variables."""
    found = [template.get("Globals", {}).get("Function", {}).get("Environment", {})]
    found += [
        r["Properties"].get("Environment", {})
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    ]
    return [env.get("Variables", {}) for env in found]


def _allowed(spec: dict[str, Any]) -> str:
    if "AllowedValues" in spec:
        return ", ".join(str(v) for v in spec["AllowedValues"])
    low, high = spec.get("MinValue"), spec.get("MaxValue")
    if low is not None or high is not None:
        return f"{'' if low is None else low} .. {'' if high is None else high}"
    return str(spec.get("ConstraintDescription", ""))


def parameter_docs(template: dict[str, Any] | None = None) -> list[ParameterDoc]:
    """Every parameter, grouped as the console groups them, then any left ungrouped."""
    template = template or load_template()
    groups = template.get("Metadata", {}).get("AWS::CloudFormation::Interface", {})
    group_of = {
        name: group["Label"]["default"]
        for group in groups.get("ParameterGroups", [])
        for name in group["Parameters"]
    }
    params: dict[str, dict[str, Any]] = template["Parameters"]
    order = [n for n in group_of if n in params] + [n for n in params if n not in group_of]
    envs = _environments(template)
    docs = []
    for name in order:
        spec = params[name]
        names = sorted({k for env in envs for k, v in env.items() if _refers_to(v, name)})
        default = spec.get("Default", "")
        docs.append(
            ParameterDoc(
                name=name,
                group=group_of.get(name, "Other"),
                env=tuple(names),
                default=", ".join(default) if isinstance(default, list) else str(default),
                allowed=_allowed(spec),
                description=" ".join(str(spec.get("Description", "")).split()),
            )
        )
    return docs


def render_parameters(_argument: str = "") -> str:
    """A table per parameter group."""
    lines: list[str] = []
    group = None
    for doc in parameter_docs():
        if doc.group != group:
            group = doc.group
            lines += ["", f"**{group}**", "", "| parameter | sets | default | allowed | meaning |"]
            lines.append("|---|---|---|---|---|")
        env = ", ".join(f"`{e}`" for e in doc.env) or "-"
        default = f"`{doc.default}`" if doc.default else "empty"
        lines.append(
            f"| `{doc.name}` | {env} | {default} | {cell(doc.allowed)} | {cell(doc.description)} |"
        )
    return "\n".join(lines).lstrip("\n") + "\n"


def render_outputs(_argument: str = "", template: dict[str, Any] | None = None) -> str:
    """The stack's outputs, as ``sam list stack-outputs`` names them, with what each is."""
    outputs: dict[str, dict[str, Any]] = (template or load_template()).get("Outputs", {})
    lines = ["| output | what it is |", "|---|---|"]
    lines += [
        f"| `{name}` | {cell(' '.join(str(spec.get('Description', '')).split()))} |"
        for name, spec in outputs.items()
    ]
    return "\n".join(lines) + "\n"
