"""The configuration reference has a row for every field of ``Settings``: its env name, the
aliases, type, default and description, as the model says them."""

from __future__ import annotations

import pytest
from pydantic import AliasChoices, BaseModel, Field

from cryptonic.config import Settings
from docs.tools.settings_reference import render_settings, setting_docs


def row_of(table: str, env: str) -> str:
    rows = [line for line in table.splitlines() if line.startswith(f"| `{env}` |")]
    assert len(rows) == 1, f"{env}: {len(rows)} rows"
    return rows[0]


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_has_its_row(field: str) -> None:
    table = render_settings()
    doc = {d.field: d for d in setting_docs()}[field]
    row = row_of(table, doc.env)
    for alias in doc.aliases:
        assert f"`{alias}`" in row


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_described(field: str) -> None:
    """The description is the reference's 'what it does': a new setting says why it exists."""
    assert Settings.model_fields[field].description, (
        f"Settings.{field} has no description= (docs/configuration.md shows it)"
    )


def test_the_rows_say_what_the_model_says() -> None:
    table = render_settings()
    assert row_of(table, "EPOCHS").startswith("| `EPOCHS` |  | integer (1 to 10000) | `100` |")
    assert "`BITCOIN_START_DATE`" in row_of(table, "START_DATE")
    assert "date, or unset" in row_of(table, "START_DATE")
    assert "`MODEL_NAME`" in row_of(table, "MODEL_VERSION")
    assert "one of default, book" in row_of(table, "ARCH")
    assert "| `BTC-USD` |" in row_of(table, "TICKERS")
    assert "| `file://./.cryptonic` |" in row_of(table, "STORE_URI")
    assert "| unset |" in row_of(table, "TENSORBOARD_DIR")
    assert "Nominal coverage of the forecast interval" in row_of(table, "INTERVAL_LEVEL")
    assert "number (above 0, below 1)" in row_of(table, "INTERVAL_LEVEL")
    assert "matches `^(/[A-Za-z0-9._~-]+)*/?$`" in row_of(table, "ROOT_PATH")


def test_a_new_field_gets_its_entry_with_its_env_name_first() -> None:
    class Knobs(BaseModel):
        warm_pool: int = Field(
            default=3,
            ge=0,
            validation_alias=AliasChoices("WARM_POOL", "OLD_POOL", "warm_pool"),
            description="Containers | kept <warm>.",
        )
        plain: str | None = None

    docs = {d.field: d for d in setting_docs(Knobs)}
    pool = docs["warm_pool"]
    assert (pool.env, pool.aliases, pool.type, pool.default) == (
        "WARM_POOL",
        ("OLD_POOL",),
        "integer (at least 0)",
        "3",
    )
    assert (docs["plain"].env, docs["plain"].type, docs["plain"].default) == (
        "PLAIN",
        "text, or unset",
        "unset",
    )
