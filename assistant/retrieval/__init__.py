"""Stage 2 — retrieval: dense + BM25 fused by rank, named cases and providers, reranked by coverage."""
