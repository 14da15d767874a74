"""Stage 4 — the answer: generated from the selected evidence (or composed of it, extractive), its [n]
markers mapped to citations and checked against the sources; catalog listings; refusals."""
