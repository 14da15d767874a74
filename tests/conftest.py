"""Shared fixtures: tests never touch the network, the user's home or the project's .data folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports the settings: data under a throwaway home, extractive answers, no telemetry.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="ftzqa-test-"))
os.environ["FTZQA_HOME"] = str(_SESSION_HOME)
os.environ["FTZQA_LLM__BACKEND"] = "extractive"
os.environ["FTZQA_LLM__CARDS_BACKEND"] = "extractive"  # no card writing unless a test asks for it
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

PROJECT = Path(__file__).resolve().parent.parent


def _register_fake_backend() -> None:
    from assistant.llm import registry
    from tests.fakes import mock_generator

    registry.register("mock", mock_generator)


_register_fake_backend()
CORPUS = PROJECT / "corpus"


@pytest.fixture(autouse=True)
def _no_real_models(request):
    """Real model calls fail unless a test is marked local_model (cf. pydantic-ai ALLOW_MODEL_REQUESTS)."""
    from assistant.llm import registry

    registry.ALLOW_REAL_MODELS = request.node.get_closest_marker("local_model") is not None
    yield
    registry.ALLOW_REAL_MODELS = False


@pytest.fixture(scope="session")
def shipped_index():
    """The shipped corpus ingested once per test session into the session's home."""
    from assistant import service
    from ingest.pipeline import ingest

    service.reset()
    report = ingest([CORPUS])
    assert report.documents == 5
    return report


@pytest.fixture
def isolated_home(tmp_path, monkeypatch):
    """A fresh empty home for tests that change the index; restores the session index afterwards."""
    from assistant import service

    monkeypatch.setenv("FTZQA_HOME", str(tmp_path / "home"))
    service.reset()
    yield tmp_path / "home"
    monkeypatch.undo()
    service.reset()


@pytest.fixture(scope="session")
def copy_of_shipped_index(shipped_index, tmp_path_factory):
    """Make fresh homes holding a copy of the session's shipped-corpus index (seconds instead of re-embedding the
    corpus), for tests that add or remove documents: `home = copy_of_shipped_index("name")`."""
    import shutil

    from assistant.config import get_settings

    source = get_settings().index_dir

    def make(name: str) -> Path:
        home = tmp_path_factory.mktemp(name)
        shutil.copytree(source, home / "index")
        return home

    return make


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per browser-test module (tests/_browser.py skips the module when it is missing)."""
    from playwright import sync_api

    from tests._browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
