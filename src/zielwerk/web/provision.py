"""Setting up an instance: re-exported from ``zielwerk.pipeline.provision`` (not web-specific)."""

from __future__ import annotations

from zielwerk.pipeline.provision import (
    DEMO_USERS,
    EXAMPLE_AGREEMENT,
    EXAMPLE_KEY,
    EXAMPLES,
    compute_now,
    demo_scope,
    ensure_demo_users,
    load_agreement_file,
    results_current,
)

__all__ = ["DEMO_USERS", "EXAMPLES", "EXAMPLE_AGREEMENT", "EXAMPLE_KEY", "compute_now", "demo_scope", "ensure_demo_users",
           "load_agreement_file", "results_current"]
