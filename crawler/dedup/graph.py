"""Cluster graphs: connected components, and average-link agglomeration over a sparse
similarity graph. Integer labels in, integer labels out; nothing here knows of articles."""

from __future__ import annotations

import heapq

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected components of the pair graph, labelled by their smallest member."""
    graph = sparse.coo_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n)
    )
    _, raw = connected_components(graph, directed=False)
    smallest = np.full(raw.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(smallest, raw, np.arange(n))
    return smallest[raw]


def average_link(
    labels: np.ndarray,
    pairs: np.ndarray,
    sims: np.ndarray,
    threshold: float,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Average-link agglomeration of the initial clusters `labels` over a sparse similarity
    graph (absent pairs count 0), merging while the best average reaches `threshold`.

    With `weights`, element `i` stands for `weights[i]` identical members (a copy cluster): a
    cluster's size is the sum of its elements' weights, and a pair's similarity counts once
    per pair of members.

    Unlike connected components, a chain of weak links cannot join two stories: a merge needs
    the mean over all cross pairs. Ties break on the smaller label, so the result is a function
    of the inputs only.

    Two clusters can only merge when some pair between them reaches `threshold` (a mean is at
    most its largest term, absent pairs being 0), so the work splits into the connected
    components of the graph of such pairs: most are two clusters, decided at once, and only the
    rest go through the agglomeration, each on its own edges.
    """
    n = len(labels)
    a_lab, b_lab = labels[pairs[:, 0]], labels[pairs[:, 1]]
    cross = a_lab != b_lab
    a_lab, b_lab, sims = a_lab[cross], b_lab[cross], sims[cross]
    if weights is None:
        weights = np.ones(n)
    pair_weight = (weights[pairs[:, 0]] * weights[pairs[:, 1]])[cross]
    if not len(sims):
        return labels.copy()
    strong = sims >= threshold
    if not strong.any():  # no two clusters can reach the threshold
        return labels.copy()
    graph = np.stack((a_lab[strong], b_lab[strong]), axis=1)
    comp = components(n, graph)
    # Edges within one component, summed per cluster pair.
    inside = comp[a_lab] == comp[b_lab]
    lo = np.minimum(a_lab[inside], b_lab[inside])
    hi = np.maximum(a_lab[inside], b_lab[inside])
    # Summed per cluster pair by sorting (code, similarity) together.
    code = lo * n + hi
    order = np.argsort(code, kind="stable")
    code, weight = code[order], (sims * pair_weight)[inside][order]
    first = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1])))
    total = np.add.reduceat(weight, first) if len(first) else weight[:0]
    code = code[first]
    lo, hi = code // n, code % n
    size = np.bincount(labels, weights=weights, minlength=n)
    clusters_in = np.bincount(comp[np.flatnonzero(np.bincount(labels, minlength=n))], minlength=n)
    result = np.arange(n)
    # Components of two clusters: one merge or none.
    pair_comp = comp[lo]
    simple = clusters_in[pair_comp] == 2
    merge = simple & (total / (size[lo] * size[hi]) >= threshold)
    result[hi[merge]] = lo[merge]
    rest = ~simple
    if rest.any():
        parent = _agglomerate(lo[rest], hi[rest], total[rest], size, threshold)
        for child, root in parent.items():
            result[child] = root
    return result[labels]


def _agglomerate(
    lo: np.ndarray, hi: np.ndarray, total: np.ndarray, sizes: np.ndarray, threshold: float
) -> dict[int, int]:
    """Average link over cluster pairs `(lo, hi)` with summed similarity `total`; the final
    cluster of each merged cluster (the smallest label among its members)."""
    adj: dict[int, dict[int, float]] = {}
    for a, b, s in zip(lo.tolist(), hi.tolist(), total.tolist(), strict=True):
        adj.setdefault(a, {})[b] = s
        adj.setdefault(b, {})[a] = s
    size = {label: int(sizes[label]) for label in adj}
    version = dict.fromkeys(adj, 0)
    heap: list[tuple[float, int, int, int, int]] = []

    def push(a: int, b: int) -> None:
        a, b = min(a, b), max(a, b)
        avg = adj[a][b] / (size[a] * size[b])
        if avg >= threshold:
            heapq.heappush(heap, (-avg, a, b, version[a], version[b]))

    for a in sorted(adj):
        for b in sorted(adj[a]):
            if a < b:
                push(a, b)
    parent = {label: label for label in adj}
    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        if a not in adj or b not in adj or version[a] != va or version[b] != vb:
            continue
        _merge(a, b, adj, size, version, parent)
        for c in sorted(adj[a]):
            push(a, c)
    root = {}
    for label in parent:
        top = label
        while parent[top] != top:
            top = parent[top]
        root[label] = top
    return root


def _merge(
    a: int,
    b: int,
    adj: dict[int, dict[int, float]],
    size: dict[int, int],
    version: dict[int, int],
    parent: dict[int, int],
) -> None:
    """Merge cluster `b` into `a` (a < b), keeping the summed similarities to neighbours."""
    for c, s in adj.pop(b).items():
        adj[c].pop(b)
        if c != a:
            adj[a][c] = adj[a].get(c, 0.0) + s
            adj[c][a] = adj[a][c]
    size[a] += size.pop(b)
    version[a] += 1
    parent[b] = a
