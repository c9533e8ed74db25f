"""Schedules' events: recognised by source or detail-type, their job in ``detail.job``, their run
named by the job, the schedule and the scheduled time (never by the attempt's id)."""

from __future__ import annotations

import json

import pytest

from cryptonic.jobs.sources.scheduled import (
    recognises,
    schedule_of,
    scheduled_job,
    scheduled_run_id,
    tick_token,
)
from tests.fixtures.paths import EVENTS

ARN = "arn:aws:scheduler:us-east-1:123456789012:schedule/default/cryptonic-refresh"


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


def test_every_attempt_of_one_tick_names_the_same_run():
    first = {"time": "2026-12-01T06:00:00Z", "id": "d32c5kdd", "resources": [ARN]}
    retry = {**first, "id": "a9f0e1b2"}  # Scheduler's execution id is new on each attempt
    run = scheduled_run_id(first, "refresh")
    assert run == scheduled_run_id(retry, "refresh")
    assert run == f"20261201T060000Z-{tick_token('refresh', ARN)}"
    naive = {**first, "time": "2026-12-01T06:00:00"}
    assert scheduled_run_id(naive, "refresh") == run  # read as UTC


def test_another_tick_job_or_schedule_is_another_run():
    event = {"time": "2026-12-01T06:00:00Z", "id": "x", "resources": [ARN]}
    run = scheduled_run_id(event, "refresh")
    assert scheduled_run_id({**event, "time": "2026-12-02T06:00:00Z"}, "refresh") != run
    assert scheduled_run_id(event, "retrain") != run
    assert scheduled_run_id({**event, "resources": [ARN + "-2"]}, "refresh") != run


def test_a_schedule_without_its_arn_is_named_by_its_job_and_time():
    filled = {"time": "2026-12-01T06:00:00Z", "resources": ["<aws.scheduler.schedule-arn>"]}
    assert schedule_of(filled) == schedule_of({}) == ""
    assert scheduled_run_id(filled, "retrain") == scheduled_run_id({**filled, "id": "z"}, "retrain")


@pytest.mark.parametrize(
    "event",
    [
        {"time": "<aws.scheduler.scheduled-time>", "id": "7f3c6a2e"},
        {"time": "yesterday"},
        {"id": "7f3c6a2e"},
    ],
)
def test_without_a_scheduled_time_each_delivery_is_a_fresh_run(event):
    assert scheduled_run_id(event, "retrain") != scheduled_run_id(event, "retrain")
