"""The deploy page's parameter table is the template's: every parameter, in its console group,
with the env names it sets on the functions."""

from __future__ import annotations

import pytest

from docs.tools.parameters import parameter_docs, render_outputs, render_parameters
from tests.fixtures.template import load_template

PARAMETERS = sorted(load_template()["Parameters"])
OUTPUTS = sorted(load_template()["Outputs"])


@pytest.mark.parametrize("name", PARAMETERS)
def test_every_parameter_has_its_row(name: str) -> None:
    rows = [line for line in render_parameters().splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, name


def test_a_parameter_names_the_env_it_sets() -> None:
    docs = {d.name: d for d in parameter_docs()}
    assert docs["Tickers"].env == ("TICKERS",)
    assert docs["RetrainAttempts"].env == ("RETRAIN_MAX_ATTEMPTS",)
    assert docs["S3EndpointUrl"].env == ("AWS_ENDPOINT_URL_S3",)
    assert docs["ApiThrottlingRateLimit"].env == ()
    assert docs["Tickers"].group == "Data and model"
    assert docs["Epochs"].allowed == "1 .. 10000"
    assert docs["Activation"].allowed == "tanh, relu, elu, sigmoid"


def test_groups_come_in_the_console_s_order_then_the_rest() -> None:
    template = {
        "Metadata": {
            "AWS::CloudFormation::Interface": {
                "ParameterGroups": [{"Label": {"default": "G"}, "Parameters": ["B"]}]
            }
        },
        "Parameters": {
            "A": {"Type": "String", "Default": "", "Description": "a"},
            "B": {"Type": "Number", "Default": 2, "MinValue": 1},
        },
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Environment": {"Variables": {"X": {"Fn::Sub": "${A}/x"}, "Y": {"Ref": "B"}}}
                },
            }
        },
    }
    docs = parameter_docs(template)
    assert [(d.name, d.group, d.env, d.allowed) for d in docs] == [
        ("B", "G", ("Y",), "1 .. "),
        ("A", "Other", ("X",), ""),
    ]


@pytest.mark.parametrize("name", OUTPUTS)
def test_every_output_has_its_row(name: str) -> None:
    rows = [line for line in render_outputs().splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, name
    assert rows[0] != f"| `{name}` |  |", f"{name} has no Description"


def test_an_output_says_what_it_is() -> None:
    template = {"Outputs": {"Url": {"Description": "Base URL\n  (try <Url>predict)", "Value": 1}}}
    assert render_outputs(template=template).splitlines()[-1] == (
        "| `Url` | Base URL (try &lt;Url>predict) |"
    )
