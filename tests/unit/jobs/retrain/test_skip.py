from __future__ import annotations

import pytest

from cryptonic.jobs.retrain.skip import Training, skip_reason
from cryptonic.registry.manifest import DataInfo, GateRecord, Manifest
from tests.fixtures.published import manifest_draft, run_config

CONFIG = run_config(2)
TODAY = Training(data_sha256="a" * 64, data_end="2026-11-22", config=CONFIG)


def _manifest(version, *, sha="a" * 64, config=CONFIG, promote=True, parent=None, reason="r"):
    draft = manifest_draft(
        data=DataInfo(sha256=sha, end="2026-11-22"),
        config=config,
        parent=parent,
        gate=GateRecord(promote=promote, reason=reason),
        created_at="2026-11-22T06:00:00Z",
    )
    return Manifest(**draft.model_dump(), version=version, artifacts={})


CHAMPION = _manifest("20261115T060000Z-0000001", sha="b" * 64)


def _listing(*manifests):
    return lambda: list(manifests)


def _never_listed():
    raise AssertionError("the champion decided: no listing needed")


def test_a_champion_trained_on_this_snapshot_and_config_skips_without_listing():
    champion = _manifest("20261122T060000Z-0000002")
    reason = skip_reason(TODAY, champion, _never_listed)
    assert reason is not None
    assert reason.startswith("no new data: champion 20261122T060000Z-0000002")
    assert "2026-11-22" in reason


def test_the_newest_rejection_of_this_training_against_this_champion_skips_and_is_named():
    rejected = _manifest(
        "20261122T060000Z-0000003",
        promote=False,
        parent=CHAMPION.version,
        reason="challenger skill -0.1 is worse than champion",
    )
    reason = skip_reason(TODAY, CHAMPION, _listing(rejected, CHAMPION))
    assert reason is not None
    assert reason.startswith("no new data: version 20261122T060000Z-0000003")
    assert f"not promoted against champion {CHAMPION.version}" in reason
    assert "challenger skill -0.1 is worse than champion" in reason
    assert "use force" in reason


@pytest.mark.parametrize(
    ("sha", "config"),
    [("c" * 64, CONFIG), ("a" * 64, CONFIG.model_copy(update={"backtest_weeks": 5}))],
    ids=["other prices", "other config"],
)
def test_a_rejection_of_another_training_does_not_skip(sha, config):
    version = "20261122T060000Z-0000003"
    rejected = _manifest(version, sha=sha, config=config, promote=False, parent=CHAMPION.version)
    assert skip_reason(TODAY, CHAMPION, _listing(rejected, CHAMPION)) is None


def test_a_rejection_against_an_earlier_champion_is_stale():
    """The champion was rolled back or promoted by hand since: the old verdict says nothing."""
    rejected = _manifest(
        "20261122T060000Z-0000003", promote=False, parent="20261108T060000Z-0000009"
    )
    assert skip_reason(TODAY, CHAMPION, _listing(rejected, CHAMPION)) is None


def test_a_version_the_gate_wanted_but_that_never_became_champion_is_trained_again():
    """Its run died between publish and promotion (a timeout): the rerun must finish the job."""
    unpromoted = _manifest("20261122T060000Z-0000004", promote=True, parent=CHAMPION.version)
    older_rejection = _manifest("20261122T050000Z-0000003", promote=False, parent=CHAMPION.version)
    listing = _listing(unpromoted, older_rejection, CHAMPION)
    assert skip_reason(TODAY, CHAMPION, listing) is None


def test_a_first_model_rejected_with_no_champion_skips():
    rejected = _manifest("20261122T060000Z-0000005", promote=False, parent=None, reason="sanity")
    reason = skip_reason(TODAY, None, _listing(rejected))
    assert reason is not None
    assert "not promoted against no champion (sanity)" in reason


def test_nothing_published_for_this_training_means_train():
    assert skip_reason(TODAY, None, _listing()) is None
    assert skip_reason(TODAY, CHAMPION, _listing(CHAMPION)) is None


def test_manifests_without_data_config_or_gate_never_match():
    bare = Manifest(
        **manifest_draft(config=None, created_at="2026-11-22T06:00:00Z").model_dump(),
        version="20261122T060000Z-0000006",
        artifacts={},
    )
    no_gate = _manifest("20261122T060000Z-0000007").model_copy(update={"gate": None})
    assert not TODAY.made(bare)
    assert skip_reason(TODAY, None, _listing(bare)) is None
    assert skip_reason(TODAY, None, _listing(no_gate)) is None
