"""Prompt templates live in prompts/ as files; each is checked for exactly the variables it needs."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache

from assistant.config import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"


class TemplateError(ValueError):
    """A template is missing, or was given unknown or missing variables."""


@dataclass(frozen=True)
class Template:
    name: str
    text: str

    @property
    def variables(self) -> set[str]:
        return {field for _, field, _, _ in string.Formatter().parse(self.text) if field}

    def render(self, **values: object) -> str:
        given, wanted = set(values), self.variables
        if given != wanted:
            raise TemplateError(
                f"prompt {self.name}: missing {sorted(wanted - given)}, unknown {sorted(given - wanted)}")
        # One pass over the template only: braces inside document text are never interpreted.
        return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), self.text)


@cache
def load(name: str) -> Template:
    """prompts/<name>.md as a Template."""
    path = PROMPTS_DIR / f"{name}.md"
    if not path.is_file():
        raise TemplateError(f"prompt file not found: {path}")
    return Template(name, path.read_text(encoding="utf-8").strip() + "\n")
