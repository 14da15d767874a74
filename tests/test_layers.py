"""Data flows one way: each layer imports only layers below it, and each imports cleanly on its own.

The static check reads every import statement — including the ones inside functions, where lazy imports
used to hide cycles — and the subprocess check imports each layer in a fresh interpreter, so a cycle or a
layer that secretly needs a higher one fails here rather than at a user's.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT

# Lowest first. A module belongs to the first layer whose prefix it starts with (most specific listed first).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("assistant.models", "assistant.config", "assistant.text", "assistant.prompts")),
    ("store", ("store",)),
    ("ingest", ("ingest",)),
    ("lexicon", ("assistant.lexicon",)),
    ("llm", ("assistant.llm",)),
    ("cards", ("assistant.cards",)),
    ("query", ("assistant.query",)),
    ("retrieval", ("assistant.retrieval", "assistant.service")),
    ("ground", ("assistant.ground",)),
    ("answers", ("assistant.answers", "assistant.export")),
    ("apps", ("assistant.cli", "assistant.__main__", "ui", "evals", "bench")),
]
PACKAGES = ("assistant", "store", "ingest", "ui", "evals", "bench")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> int | None:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None  # the lazy package API (assistant/__init__.py) belongs to no layer


def _our_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of one of our packages in the file, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from assistant import service` imports the submodule; `from assistant import answer` the API.
            subs = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [n for n in subs if _layer(n) is not None and _layer(n) != _layer(node.module)] or [node.module]
        else:
            continue
        for name in names:
            if name.split(".")[0] in PACKAGES and (_layer(name) is not None or name == "assistant"):
                found.append((node.lineno, name))
    return found


def _sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (PROJECT / pkg).rglob("*.py") if "reports" not in p.parts)


def test_every_module_belongs_to_a_layer():
    orphans = [_module_name(p) for p in _sources() if _layer(_module_name(p)) is None and _module_name(p) != "assistant"]
    assert not orphans, f"add these modules to a layer in tests/test_layers.py: {orphans}"


def test_no_module_imports_a_higher_layer():
    violations = []
    for path in _sources():
        module = _module_name(path)
        own = _layer(module)
        if own is None:
            continue
        for line, name in _our_imports(path):
            if name == "assistant":
                # `from assistant import answer` is the public API: only the apps may use it.
                if own < _layer("assistant.cli"):  # type: ignore[operator]
                    violations.append(f"{path.relative_to(PROJECT)}:{line} imports the package API 'assistant'")
                continue
            target = _layer(name)
            if target is not None and target > own:
                violations.append(f"{path.relative_to(PROJECT)}:{line} ({LAYERS[own][0]}) imports {name} "
                                  f"({LAYERS[target][0]})")
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("layer", [name for name, _ in LAYERS])
def test_each_layer_imports_alone_in_a_fresh_interpreter(layer):
    rank = [name for name, _ in LAYERS].index(layer)
    modules = [_module_name(p) for p in _sources() if _layer(_module_name(p)) == rank and p.name != "__main__.py"]
    higher = [p for _, prefixes in LAYERS[rank + 1:] for p in prefixes]
    script = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        f"higher = {higher!r}\n"
        "loaded = [m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in higher)]\n"
        "assert not loaded, f'importing this layer loaded higher ones: {loaded}'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
