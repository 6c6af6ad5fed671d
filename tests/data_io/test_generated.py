"""The generated Siegen-Wittgenstein dataset passes the validator (issue 2 acceptance)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from zielwerk.cli import app
from zielwerk.data.schema import CORE_TABLES


@pytest.mark.slow
def test_generated_siegen_dataset_validates(siegen_dir):
    result = CliRunner().invoke(app, ["validate", str(siegen_dir)])
    assert result.exit_code == 0, result.output[:2000]
    assert "gültig" in result.output


@pytest.mark.slow
def test_siegen_dataset_fixture_is_typed(siegen_dataset):
    for name in CORE_TABLES:
        assert siegen_dataset.has(name) and siegen_dataset[name].num_rows > 0, name
    assert (
        siegen_dataset["elb_spells"].schema.field("start").type.id
        == siegen_dataset["persons"].schema.field("birth_date").type.id
    )
