"""Rank fusion as pure functions (cf. txtai's hybrid search): weighted reciprocal rank fusion."""

from __future__ import annotations

from collections.abc import Sequence


def weighted_rrf(rankings: Sequence[tuple[float, Sequence[str]]], k: int = 60) -> dict[str, float]:
    """Fuse ranked id lists; each contributes weight / (k + rank) for every id it ranks (rank from 1)."""
    fused: dict[str, float] = {}
    for weight, ids in rankings:
        if weight <= 0:
            continue
        for rank, item in enumerate(ids, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def diversify(ranked: Sequence[str], group_of: dict[str, str], k: int, max_per_group: int) -> list[str]:
    """Top k ids with at most max_per_group from one group; the rest fill in only if k is not reached."""
    picked: list[str] = []
    overflow: list[str] = []
    per_group: dict[str, int] = {}
    for item in ranked:
        group = group_of[item]
        if per_group.get(group, 0) < max_per_group:
            picked.append(item)
            per_group[group] = per_group.get(group, 0) + 1
        else:
            overflow.append(item)
        if len(picked) == k:
            return picked
    return picked + overflow[: k - len(picked)]
