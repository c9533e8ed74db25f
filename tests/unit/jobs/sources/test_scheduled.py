"""Schedules' events: recognised by source or detail-type, their job in ``detail.job``, their run
named by their time and id."""

from __future__ import annotations

import json

import pytest

from cryptonic.jobs.sources.scheduled import recognises, scheduled_job, scheduled_run_id
from tests.fixtures.paths import EVENTS


@pytest.mark.parametrize("name", ["retrain-scheduled.json", "refresh-scheduled.json"])
def test_the_shipped_schedule_events_are_recognised(name):
    assert recognises(json.loads((EVENTS / name).read_text()))


def test_a_rule_a_scheduler_or_a_scheduled_detail_type_is_a_schedule():
    assert recognises({"source": "aws.events"})
    assert recognises({"source": "aws.scheduler"})
    assert recognises({"detail-type": "Scheduled Event"})
    assert not recognises({"source": "aws.s3"})
    assert not recognises({"ticker": "BTC-USD"})
    assert not recognises(None)
    assert not recognises(["aws.events"])


def test_the_job_is_the_details_and_the_retrain_without_one():
    assert scheduled_job({"source": "aws.scheduler", "detail": {"job": "refresh"}}) == "refresh"
    assert scheduled_job({"source": "aws.events", "detail": {}}) == "retrain"
    assert scheduled_job({"source": "aws.events"}) == "retrain"
    assert scheduled_job({"source": "aws.events", "detail": {"job": 3}}) == 3  # checked later


def test_the_run_is_named_by_the_events_time_and_id():
    event = {"time": "2026-12-01T06:00:00Z", "id": "7f3c6a2e-5b1d", "source": "aws.scheduler"}
    assert scheduled_run_id(event) == "20261201T060000Z-7f3c6a2e"
    naive = {**event, "time": "2026-12-01T06:00:00"}
    assert scheduled_run_id(naive) == "20261201T060000Z-7f3c6a2e"  # read as UTC


@pytest.mark.parametrize(
    "event",
    [
        {"time": "2026-12-01T06:00:00Z", "id": "<aws.scheduler.execution-id>"},
        {"time": "<aws.scheduler.scheduled-time>", "id": "7f3c6a2e"},
        {"time": "2026-12-01T06:00:00Z"},
        {"id": "7f3c6a2e"},
    ],
)
def test_without_a_time_and_an_id_each_delivery_is_a_fresh_run(event):
    assert scheduled_run_id(event) != scheduled_run_id(event)
