"""The `cryptonic` entry point in-process and as `python -m`: our errors as one line and exit
code 2."""

from __future__ import annotations

import pytest

from cryptonic.cli.main import main
from cryptonic.data import to_yahoo_csv
from tests.fixtures.prices import make_prices

pytestmark = pytest.mark.slow


def test_bad_data_is_a_one_line_error_with_exit_code_2(tmp_path, capsys):
    frame = make_prices(100)
    frame.loc[10, "high"] = frame.loc[10, "low"] / 2
    path = tmp_path / "bad.csv"
    path.write_bytes(to_yahoo_csv(frame))
    assert main(["backtest", "--data", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cryptonic: error [bad_data]:")
    assert "Traceback" not in err


def test_invalid_setting_is_reported(capsys):
    assert main(["backtest", "--data", "bundled", "--start", "yesterday"]) == 2
    assert "invalid settings: --start: " in capsys.readouterr().err  # the flag, as typed


@pytest.mark.parametrize("module", ["cryptonic", "cryptonic.cli"])
def test_python_dash_m_is_the_cli_with_its_exit_code(module):
    """`python -m cryptonic` (cryptonic/__main__.py) and `python -m cryptonic.cli` (make run)."""
    import subprocess
    import sys

    ok = subprocess.run(
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert "refresh" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", module, "models", "list", "--ticker", "B@D"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "invalid ticker 'B@D'" in bad.stderr
