"""Stage 1 — the question: normalise it, resolve a follow-up with the history, analyse what it asks."""
