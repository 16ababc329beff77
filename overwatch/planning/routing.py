"""Shortest clear paths around obstacles: a lazy visibility graph searched with A*.

The graph's nodes are the vertices of the safe area (the allowed airspace
shrunk by a margin, see :mod:`overwatch.planning.zone`). Two nodes see each
other when the straight leg between them stays clear of the blocked area grown
by half the margin; the start and goal see a node when the leg clears the
blocked area itself (they may lie close to an obstacle, e.g. a launch site
next to a keep-out). Neighbour lists are computed on demand, vectorised, and
cached, so a plan pays only for the parts of the map it routes through.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from overwatch.planning.model import BoolArray, FloatArray


@dataclass(frozen=True, eq=False)
class VisibilityRouter:
    """Routes between points (metres) through ``nodes`` (n, 2)."""

    nodes: FloatArray
    blocked: BaseGeometry
    clearance: BaseGeometry
    _neighbours: dict[int, BoolArray] = field(default_factory=dict, repr=False)

    @classmethod
    def over(
        cls, safe: Polygon, blocked: BaseGeometry, clearance: BaseGeometry
    ) -> VisibilityRouter:
        rings = [safe.exterior, *safe.interiors]
        nodes = np.vstack([np.asarray(r.coords, dtype=float)[:-1] for r in rings])
        return cls(nodes=nodes, blocked=blocked, clearance=clearance)

    def _visible_from_point(self, p: tuple[float, float]) -> BoolArray:
        lines = shapely.linestrings(
            np.stack(
                [np.broadcast_to(np.asarray(p, dtype=float), self.nodes.shape), self.nodes], axis=1
            )
        )
        return np.asarray(~shapely.intersects(self.blocked, lines), dtype=bool)

    def _visible_from_node(self, i: int) -> BoolArray:
        cached = self._neighbours.get(i)
        if cached is None:
            lines = shapely.linestrings(
                np.stack([np.broadcast_to(self.nodes[i], self.nodes.shape), self.nodes], axis=1)
            )
            cached = np.asarray(~shapely.intersects(self.clearance, lines), dtype=bool)
            cached[i] = False
            self._neighbours[i] = cached
        return cached

    def route(self, a: tuple[float, float], b: tuple[float, float]) -> FloatArray | None:
        """Shortest polyline a → … → b through visible nodes, or None when there is none."""
        n = len(self.nodes)
        if n == 0:
            return None
        goal = np.asarray(b, dtype=float)
        to_goal = self._visible_from_point(b)
        h = np.hypot(*(self.nodes - goal).T)
        start_vis = self._visible_from_point(a)
        d_start = np.hypot(*(self.nodes - np.asarray(a, dtype=float)).T)
        best = np.full(n, np.inf)
        parent = np.full(n, -1, dtype=np.int64)
        heap: list[tuple[float, float, int]] = []
        for first in np.flatnonzero(start_vis).tolist():
            best[first] = d_start[first]
            heapq.heappush(heap, (float(d_start[first] + h[first]), float(d_start[first]), first))
        done = np.zeros(n, dtype=bool)
        best_goal, goal_parent = np.inf, -1
        while heap:
            f, g, i = heapq.heappop(heap)
            if done[i] or g > best[i]:
                continue
            if f >= best_goal:
                break
            done[i] = True
            if to_goal[i] and g + h[i] < best_goal:
                best_goal, goal_parent = g + h[i], i
            vis = self._visible_from_node(i) & ~done
            if not vis.any():
                continue
            cand = np.flatnonzero(vis)
            step = np.hypot(*(self.nodes[cand] - self.nodes[i]).T)
            new = g + step
            better = new < best[cand]
            for j, gj in zip(cand[better].tolist(), new[better].tolist(), strict=True):
                best[j] = gj
                parent[j] = i
                heapq.heappush(heap, (float(gj + h[j]), float(gj), int(j)))
        if goal_parent < 0:
            return None
        chain = [goal_parent]
        while parent[chain[-1]] >= 0:
            chain.append(int(parent[chain[-1]]))
        pts = [np.asarray(a, dtype=float), *(self.nodes[i] for i in reversed(chain)), goal]
        return np.vstack(pts)
