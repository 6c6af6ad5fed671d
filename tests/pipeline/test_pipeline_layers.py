"""Layering (README, docs/pipeline.md): cli never imports web, data imports nothing above it, the
pipeline sits below web and cli. Checked on the import statements of the source (ast) and, for cli,
on the text as well (``grep -r "zielwerk.web" src/zielwerk/cli`` must find nothing)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "zielwerk"


def _imports(package: str) -> dict[str, set[str]]:
    """module file → absolute names it imports (relative imports resolved inside the package)."""
    out: dict[str, set[str]] = {}
    for path in sorted((SRC / package).rglob("*.py")):
        parts = ["zielwerk", *path.relative_to(SRC).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = parts[: len(parts) - node.level + (1 if path.name == "__init__.py" else 0)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                # "from zielwerk import indicators" imports zielwerk.indicators: name every alias
                names.update(f"{module}.{a.name}" for a in node.names)
        out[str(path.relative_to(SRC))] = names
    return out


def _offending(package: str, allowed: tuple[str, ...]) -> dict[str, list[str]]:
    bad = {}
    for module, names in _imports(package).items():
        hits = sorted(n for n in names if n.startswith("zielwerk") and not n.startswith(allowed))
        if hits:
            bad[module] = hits
    return bad


def test_cli_never_imports_web():
    assert {m: [n for n in ns if n.startswith("zielwerk.web")] for m, ns in _imports("cli").items()
            if any(n.startswith("zielwerk.web") for n in ns)} == {}
    assert [p.name for p in (SRC / "cli").rglob("*.py") if "zielwerk.web" in p.read_text("utf-8")] == []


def test_data_imports_nothing_above_it():
    assert _offending("data", ("zielwerk.data", "zielwerk.domain", "zielwerk.atomic")) == {}


def test_pipeline_is_below_web_and_cli():
    assert _offending("pipeline", ("zielwerk.pipeline", "zielwerk.data", "zielwerk.domain", "zielwerk.indicators",
                                   "zielwerk.targets", "zielwerk.casework", "zielwerk.store", "zielwerk.official",
                                   "zielwerk.atomic")) == {}


def test_the_checker_sees_relative_imports():
    # the web package imports its own modules relatively and the pipeline absolutely
    names = _imports("web")["web/results.py"]
    assert "zielwerk.pipeline.generations" in names or "zielwerk.pipeline" in names
    assert any(n.startswith("zielwerk.web.") for n in _imports("web")["web/app.py"])
