"""`cryptonic models list|show|promote|rollback` through models_command on a local store."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from cryptonic.cli.models import models_command, terminal_confirm
from cryptonic.errors import ConfigError, ConflictError, NoModelError, NotFoundError
from cryptonic.registry.manifest import BacktestRecord
from cryptonic.registry.registry import Registry, new_version_id, open_registry
from cryptonic.store.uri import open_store
from tests.fixtures.published import manifest_draft, score_row

T0 = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


@pytest.fixture
def published(local_store_uri: str) -> list[str]:
    reg = open_registry(local_store_uri)
    versions = []
    for day, (mape, strategy) in enumerate([(0.052, "new"), (0.041, "continue")]):
        version = new_version_id(T0 + dt.timedelta(days=day))
        reg.publish(
            "BTC-USD",
            version,
            {"model.tflite": b"x" * (day + 1)},
            manifest_draft(
                strategy=strategy,
                created_at=f"2026-11-2{3 + day}T00:00:00Z",
                metrics=BacktestRecord(
                    model=score_row(mape=mape), persistence=score_row("persistence", mape=0.0505)
                ),
            ),
        )
        versions.append(version)
    return versions


def run(action: str, store_uri: str, ticker: str, version: str | None) -> str:
    out = io.StringIO()
    assert models_command(action, store_uri, ticker, version, out) == 0  # type: ignore[arg-type]
    return out.getvalue()


def test_list(local_store_uri: str, published: list[str]) -> None:
    v1, v2 = published
    run("promote", local_store_uri, "BTC-USD", v1)
    lines = run("list", local_store_uri, "btc-usd", None).splitlines()
    assert lines[0].split() == [
        "VERSION",
        "CREATED_AT",
        "STRATEGY",
        "MAPE",
        "PERSISTENCE_MAPE",
        "LIVE_N",
        "LIVE_MAPE",
        "LIVE_PERSISTENCE",
        "LIVE_SKILL",
    ]
    no_live = ["-", "-", "-", "-"]  # no refresh has scored anything yet
    assert lines[1].split() == [v2, "2026-11-24T00:00:00Z", "continue", "0.041", "0.0505", *no_live]
    assert lines[2].split() == ["*", v1, "2026-11-23T00:00:00Z", "new", "0.052", "0.0505", *no_live]


def test_list_empty(local_store_uri: str) -> None:
    assert "no published versions of BTC-USD" in run("list", local_store_uri, "BTC-USD", None)


def test_promote_prints_both_live_records_then_asks(local_store_uri: str, published: list[str]):
    v1, v2 = published
    run("promote", local_store_uri, "BTC-USD", v1)
    asked: list[str] = []
    out = io.StringIO()
    declined = models_command(
        "promote", local_store_uri, "BTC-USD", v2, out, confirm=lambda q: asked.append(q) or False
    )
    assert declined == 1
    assert asked == [f"promote {v2} to champion of BTC-USD?"]
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"champion  {v1}: no live record yet")
    assert lines[1].startswith(f"candidate {v2}: no live record yet")
    assert lines[2] == "not promoted: the champion is unchanged"
    assert open_registry(local_store_uri).champion("BTC-USD").version == v1
    agreed = models_command("promote", local_store_uri, "BTC-USD", v2, out, confirm=lambda q: True)
    assert agreed == 0
    assert open_registry(local_store_uri).champion("BTC-USD").version == v2


def test_terminal_confirm_refuses_without_a_terminal() -> None:
    with pytest.raises(ConfigError, match="stdin is not a terminal: pass --yes"):
        terminal_confirm("promote?", io.StringIO("y\n"), io.StringIO())


def test_show(local_store_uri: str, published: list[str]) -> None:
    v1, v2 = published
    with pytest.raises(NoModelError, match="no model for BTC-USD yet"):
        run("show", local_store_uri, "BTC-USD", None)
    shown = json.loads(run("show", local_store_uri, "BTC-USD", v2))
    assert (shown["version"], shown["champion"], shown["strategy"]) == (v2, False, "continue")
    run("promote", local_store_uri, "BTC-USD", v1)
    shown = json.loads(run("show", local_store_uri, "BTC-USD", None))
    assert (shown["version"], shown["champion"]) == (v1, True)
    assert shown["champion_pointer"]["version"] == v1
    assert shown["artifacts"]["model.tflite"]["bytes"] == 1


def test_promote_and_rollback(local_store_uri: str, published: list[str]) -> None:
    v1, v2 = published
    assert "previous: none" in run("promote", local_store_uri, "BTC-USD", v1)
    assert f"promoted {v2} to champion of BTC-USD (previous: {v1})" in run(
        "promote", local_store_uri, "BTC-USD", v2
    )
    assert "already the champion" in run("promote", local_store_uri, "BTC-USD", v2)
    assert f"rolled back BTC-USD from {v2} to {v1}" in run(
        "rollback", local_store_uri, "BTC-USD", None
    )
    with pytest.raises(NotFoundError, match="no previous champion to roll back to"):
        run("rollback", local_store_uri, "BTC-USD", None)


def test_promote_replaces_a_damaged_champion_pointer_once_asked(
    local_store_uri: str, published: list[str]
) -> None:
    v1, v2 = published
    run("promote", local_store_uri, "BTC-USD", v1)
    store = open_store(local_store_uri)
    store.put_bytes("BTC-USD/champion.json", b'{"version": "2026')  # half-written by hand
    out = io.StringIO()
    refused = models_command(
        "promote", local_store_uri, "BTC-USD", v2, out, confirm=lambda question: False
    )
    assert refused == 1
    assert out.getvalue().startswith("the champion pointer of BTC-USD cannot be read: ")
    assert "is not valid JSON" in out.getvalue()
    assert out.getvalue().endswith("\nnot replaced: the damaged pointer is left as it is\n")
    assert store.get_bytes("BTC-USD/champion.json") == b'{"version": "2026'
    asked: list[str] = []
    out = io.StringIO()
    agreed = models_command(
        "promote", local_store_uri, "BTC-USD", v2, out, confirm=lambda q: asked.append(q) or True
    )
    assert agreed == 0
    assert asked == [f"replace it with {v2} (its history of earlier champions is lost)?"]
    assert out.getvalue().endswith(f"promoted {v2} to champion of BTC-USD (previous: unreadable)\n")
    pointer = Registry(store).champion("BTC-USD")
    assert pointer is not None
    assert (pointer.version, pointer.history) == (v2, ())


def test_a_pointer_repaired_while_the_question_was_open_is_left_alone(
    local_store_uri: str, published: list[str]
) -> None:
    v1, v2 = published
    run("promote", local_store_uri, "BTC-USD", v1)
    store = open_store(local_store_uri)
    store.put_bytes("BTC-USD/champion.json", b"{")

    def someone_repairs_it_first(question: str) -> bool:
        store.put_bytes("BTC-USD/champion.json", store_pointer(v1))
        return True

    with pytest.raises(ConflictError, match="changed since it was found damaged"):
        models_command(
            "promote",
            local_store_uri,
            "BTC-USD",
            v2,
            io.StringIO(),
            confirm=someone_repairs_it_first,
        )
    pointer = Registry(store).champion("BTC-USD")
    assert pointer is not None
    assert pointer.version == v1


def store_pointer(version: str) -> bytes:
    return json.dumps({"version": version, "promoted_at": "2026-12-03T00:00:00Z"}).encode()


def test_usage_errors(local_store_uri: str, published: list[str]) -> None:
    with pytest.raises(ConfigError, match="needs a version"):
        run("promote", local_store_uri, "BTC-USD", None)
    with pytest.raises(ConfigError, match="takes no version"):
        run("rollback", local_store_uri, "BTC-USD", published[0])
    with pytest.raises(ConfigError, match="unknown models action"):
        run("delete", local_store_uri, "BTC-USD", None)
    with pytest.raises(ConfigError, match="unsupported store URI"):
        run("list", "ftp://nope", "BTC-USD", None)
    with pytest.raises(NotFoundError):
        run("promote", local_store_uri, "BTC-USD", new_version_id(T0 + dt.timedelta(days=30)))
