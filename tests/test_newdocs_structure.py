"""The new-layout eval documents (evals/data/newdocs_v*/docs) keep their exact structure: every case's number,
title and provider and the document's title, as structure.json says. These sets were blind at their first run;
this test keeps a later change to ingest/ from quietly losing what they taught (a regression check, seconds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import IngestSettings
from ingest.parse import folder_metadata, parse_file

SETS = sorted((Path(__file__).parents[1] / "evals" / "data").glob("newdocs_v*/structure.json"))
DOCUMENTS = [(s.parent, name) for s in SETS for name in json.loads(s.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("root,name", DOCUMENTS, ids=[f"{r.name}/{n}" for r, n in DOCUMENTS])
def test_new_layout_documents_keep_their_structure(root, name):
    want = json.loads((root / "structure.json").read_text(encoding="utf-8"))[name]
    path = root / "docs" / name
    doc = parse_file(path, name, IngestSettings(), metadata=folder_metadata(path.parent).get(name))
    assert doc.document.title == want["title"]
    assert [(c.number, c.title, c.provider) for c in doc.cases if c.kind == "case"] == [
        (c["number"], c["title"], c["provider"]) for c in want["cases"]]
