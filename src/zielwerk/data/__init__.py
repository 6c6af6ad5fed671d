"""The data contract: schema, readers, validator (docs/data-contract.md); synthetic data: zielwerk.synth."""
