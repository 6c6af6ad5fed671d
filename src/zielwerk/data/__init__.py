"""The data contract: schema, readers, validator and synthetic scenarios (docs/data-contract.md)."""
