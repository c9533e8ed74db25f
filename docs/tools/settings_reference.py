"""The configuration reference, read from the one settings model (``cryptonic.config.Settings``):
every env name, its aliases, type and bounds, default and description, so a new setting is on
the site the day it is added, and a changed default never leaves the docs behind."""

from __future__ import annotations

import datetime as dt
import types
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import AliasChoices, BaseModel
from pydantic.fields import FieldInfo

from cryptonic.config import Settings
from docs.tools import cell

__all__ = ["SettingDoc", "render_settings", "setting_docs"]

NAMES = {int: "integer", float: "number", str: "text", bool: "true or false", dt.date: "date"}
BOUNDS = {"ge": "at least", "gt": "above", "le": "at most", "lt": "below"}


@dataclass(frozen=True)
class SettingDoc:
    """One setting as the reference shows it."""

    field: str
    env: str
    aliases: tuple[str, ...]
    type: str
    default: str
    description: str


def env_names(info: FieldInfo, field: str) -> tuple[str, ...]:
    """The environment names a field is read from, its own first (the upper-case choices of
    its validation alias; without one, pydantic reads the field's name)."""
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        names = tuple(c for c in alias.choices if isinstance(c, str) and c.isupper())
        if names:
            return names
    if isinstance(alias, str):
        return (alias.upper(),)
    return (field.upper(),)


def type_text(annotation: Any) -> str:
    """A type as a reader says it: ``integer``, ``date, or unset``, ``one of tanh, relu``."""
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(str(v) for v in get_args(annotation))
    if origin in (Union, types.UnionType):
        parts = [a for a in get_args(annotation) if a is not type(None)]
        text = " or ".join(type_text(a) for a in parts)
        return f"{text}, or unset" if len(parts) < len(get_args(annotation)) else text
    if origin in (list, tuple):
        inner = [a for a in get_args(annotation) if a is not Ellipsis]
        item = type_text(inner[0]) if inner else "value"
        return f"comma-separated list ({item} each)"
    return NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))


def bounds_text(info: FieldInfo) -> str:
    """The field's numeric bounds in words (``1 to 520``, ``above 0, below 1``) or its pattern,
    '' when it has none."""
    found: dict[str, Any] = {}
    parts = []
    for item in info.metadata:
        found.update({k: getattr(item, k) for k in BOUNDS if getattr(item, k, None) is not None})
        pattern = getattr(item, "pattern", None)
        if pattern is not None:
            parts.append(f"matches `{pattern}`")
    if "ge" in found and "le" in found:
        return ", ".join([f"{found['ge']:g} to {found['le']:g}", *parts])
    words = [f"{BOUNDS[k]} {v:g}" for k, v in found.items()]
    return ", ".join(words + parts)


def default_text(value: Any) -> str:
    """The default as it would be written in the environment."""
    if value is None:
        return "unset"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value) or "empty"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value) if value != "" else "empty"


def setting_docs(model: type[BaseModel] = Settings) -> list[SettingDoc]:
    """Every field of the settings model, in the order it declares them."""
    docs = []
    for field, info in model.model_fields.items():
        names = env_names(info, field)
        bounds = bounds_text(info)
        kind = type_text(info.annotation)
        docs.append(
            SettingDoc(
                field=field,
                env=names[0],
                aliases=names[1:],
                type=f"{kind} ({bounds})" if bounds else kind,
                default=default_text(info.get_default(call_default_factory=True)),
                description=" ".join((info.description or "").split()),
            )
        )
    return docs


def render_settings(_argument: str = "") -> str:
    """The reference as one Markdown table, a row per setting."""
    lines = [
        "| env name | also read from | type | default | what it does |",
        "|---|---|---|---|---|",
    ]
    for doc in setting_docs():
        aliases = ", ".join(f"`{a}`" for a in doc.aliases)
        default = doc.default if doc.default in ("unset", "empty") else f"`{doc.default}`"
        lines.append(
            f"| `{doc.env}` | {aliases} | {cell(doc.type)} | {default} | "
            f"{cell(doc.description) or '(not described yet)'} |"
        )
    return "\n".join(lines) + "\n"
