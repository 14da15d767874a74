"""Stage 3 — grounding: does the evidence state what the question asks? If not, say what is missing."""
