"""Background indexing jobs of one data home, kept in a small JSON file so a restart knows what was pending.

A job adds one uploaded file or commits the removal of one. States: queued → indexing → ready | failed (with
the reason). Ready jobs leave the board (the catalog is then the record); failed ones stay until dismissed.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

JobState = Literal["queued", "indexing", "ready", "failed"]
MAX_ATTEMPTS = 2  # runs a job may start; one cut short by a crash or kill -9 is retried once, then failed


class Job(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    action: Literal["add", "remove"]
    name: str = Field(description="The file's name in the uploads folder")
    original_name: str = ""
    sha256: str = ""
    size: int = 0
    state: JobState = "queued"
    error: str | None = None
    done: int = 0
    total: int = 0
    attempts: int = 0
    submitted: float = Field(default_factory=time.time)
    finished: float | None = None

    @property
    def pending(self) -> bool:
        return self.state in ("queued", "indexing")


class _JobFile(BaseModel):
    jobs: list[Job] = Field(default_factory=list)


class JobBoard:
    """The jobs of one data home: thread-safe, saved atomically on every state change."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.jobs: list[Job] = self._load()

    def _load(self) -> list[Job]:
        try:
            return _JobFile.model_validate_json(self.path.read_bytes()).jobs
        except FileNotFoundError:
            return []
        except (OSError, ValueError, ValidationError):
            # A damaged job file must not stop the server; what it held is lost, the documents are not.
            broken = self.path.with_suffix(f".broken-{int(time.time())}")
            try:
                os.replace(self.path, broken)
            except OSError:
                pass
            return []

    def save(self) -> None:
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".tmp{os.getpid()}")
            data = _JobFile(jobs=self.jobs).model_dump_json(indent=1)
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            self.changed.notify_all()

    def add(self, job: Job) -> Job:
        with self.lock:
            self.jobs.append(job)
            self.save()
            return job

    def update(self, job: Job, **fields: object) -> None:
        with self.lock:
            for key, value in fields.items():
                setattr(job, key, value)
            self.save()

    def drop(self, job: Job) -> None:
        with self.lock:
            self.jobs = [j for j in self.jobs if j.id != job.id]
            self.save()

    def snapshot(self) -> list[Job]:
        with self.lock:
            return [j.model_copy() for j in self.jobs]

    def find(self, name: str) -> Job | None:
        """The latest job about this file name."""
        with self.lock:
            return next((j for j in reversed(self.jobs) if j.name == name), None)

    def next_queued(self) -> Job | None:
        with self.lock:
            return next((j for j in self.jobs if j.state == "queued"), None)

