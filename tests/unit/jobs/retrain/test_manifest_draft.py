"""What makes two trainings comparable: the run config holds every setting that changes one."""

from __future__ import annotations

import datetime as dt

from cryptonic.config import Settings
from cryptonic.jobs.retrain.manifest_draft import run_config
from cryptonic.training.model.spec import ModelSpec


def test_the_run_config_records_the_model_the_data_and_the_gates_knobs():
    settings = Settings(
        data_source="bundled",
        end_date=dt.date(2026, 11, 30),
        backtest_weeks=6,
        promotion_margin=0.02,
        coverage_tolerance=0.05,
    )
    spec = ModelSpec.from_settings(settings)
    config = run_config(settings, spec)
    assert config.model == spec.to_dict()
    assert (config.data_source, config.end_date) == ("bundled", dt.date(2026, 11, 30))
    assert (config.backtest_weeks, config.promotion_margin, config.coverage_tolerance) == (
        6,
        0.02,
        0.05,
    )
    assert run_config(settings, spec) == config
    assert run_config(settings.model_copy(update={"backtest_weeks": 7}), spec) != config
