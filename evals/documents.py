"""Evaluating on documents beside the shipped corpus (new layouts nobody tuned on): the corpus and the extra
folder are ingested into a scratch index, and the structure detected is compared with what the documents say.

structure.json: {file name: {"title": …, "cases": [{"number": n, "title": …, "provider": …}, …]}}; titles and
providers compare with whitespace removed, numbers as printed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, Field

log = logging.getLogger(__name__)


class DocumentCheck(BaseModel):
    source_file: str
    exact: bool
    expected: list[tuple[int, str, str]] = Field(default_factory=list)
    found: list[tuple[int, str, str]] = Field(default_factory=list)
    title_expected: str = ""
    title_found: str = ""


@contextmanager
def with_documents(folder: Path, cards_backend: str | None = None, keep_cards: Path | None = None) -> Iterator[Path]:
    """Index the configured corpus and `folder` into a scratch home for the duration (the user's index is untouched);
    with cards_backend, that generator writes the new documents' English cards first, as `ftzqa cards` would."""
    from assistant import service
    from assistant.config import get_settings
    from ingest.pipeline import ingest

    previous = os.environ.get("FTZQA_HOME")
    models = get_settings().llm.model_path or get_settings().home / "models"
    with tempfile.TemporaryDirectory(prefix="ftzqa-eval-docs-") as home:
        os.environ["FTZQA_HOME"] = home
        if not os.environ.get("FTZQA_LLM__MODEL_PATH") and models.is_dir():
            (Path(home) / "models").symlink_to(models)  # the local model stays where setup put it
        service.reset()
        try:
            report = ingest([get_settings().ingest.corpus_dir, folder])
            if report.skipped:
                raise RuntimeError("documents not read: " + "; ".join(f"{s.path}: {s.reason}" for s in report.skipped))
            if cards_backend and cards_backend.endswith(".json"):
                shutil.copyfile(cards_backend, Path(home) / "cards.json")  # cards written by an earlier run
            elif cards_backend:
                _fill_cards(cards_backend)
                if keep_cards is not None and (Path(home) / "cards.json").exists():
                    keep_cards.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(Path(home) / "cards.json", keep_cards)  # `--cards <that file>` reuses them
            yield Path(home)
        finally:
            if previous is None:
                os.environ.pop("FTZQA_HOME", None)
            else:
                os.environ["FTZQA_HOME"] = previous
            service.reset()


def _key(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def check_structure(expected_file: Path) -> list[DocumentCheck]:
    """Each document of structure.json against the live catalog: case numbers, titles and providers exactly."""
    from assistant import service

    catalog = service.index().catalog
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    checks = []
    for name, spec in expected.items():
        doc = next((d for d in catalog.documents.values() if Path(d.source_file).name == name), None)
        found = sorted((c.number, _key(c.title), _key(c.provider)) for c in catalog.cases.values()
                        if doc is not None and c.document_id == doc.id and c.kind != "preamble")
        want = [(int(c["number"]), _key(c["title"]), _key(c.get("provider"))) for c in spec["cases"]]
        checks.append(DocumentCheck(source_file=name, exact=sorted(want) == found, expected=want, found=found,
                                    title_expected=spec.get("title", ""), title_found=doc.title if doc else ""))
    return checks


def _fill_cards(backend: str) -> None:
    """Cards as an upload would get them: a case the generator fails on stays without one (reported, not fatal —
    English questions about it then rely on the dictionary and the names, as they would for an official)."""
    from assistant import service

    _, failed = service.write_cards(backend=backend)
    for reason in failed:
        log.warning("English card not written: %s", reason)
    service.reset()
