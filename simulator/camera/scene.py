"""The synthetic world the camera looks at: a textured flat ground, roads and actors.

The ground lies at home altitude. Its texture is pre-rendered once in the
scene's local metric frame (``x_m`` east, ``y_m`` north): a coarse layer with
terrain colour variation and the roads (including the patrol route), and a
fine tiled detail layer that keeps close-up views from looking blurred (grit),
and a tiled scrub layer: bushes with their shadows and stones, clutter a
detector has to see past.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from overwatch.geo import LocalFrame

Rgb = tuple[int, int, int]

SAND_RGB: Rgb = (196, 174, 132)
ROAD_RGB: Rgb = (172, 152, 116)
RUT_RGB: Rgb = (158, 138, 104)
SKY_RGB: Rgb = (190, 210, 235)
HAZE_RGB: Rgb = (214, 204, 184)

# Default true sizes (length, width, height) in metres per actor kind.
DEFAULT_SIZE_M: dict[str, tuple[float, float, float]] = {
    "person": (0.5, 0.5, 1.75),
    "vehicle": (4.6, 1.9, 1.7),
    "object": (1.2, 1.2, 0.8),
}

# Typical body colours per kind (distinct from sand, as real vehicles and clothing mostly are).
ACTOR_PALETTE: dict[str, tuple[Rgb, ...]] = {
    "person": ((30, 30, 36), (220, 120, 30), (60, 70, 120), (120, 30, 30)),
    "vehicle": ((236, 236, 232), (52, 84, 48), (170, 40, 36), (40, 60, 150), (30, 30, 30)),
    "object": ((60, 60, 70), (40, 90, 40), (30, 40, 120)),
}


class ActorLike(Protocol):
    """What the camera needs of an actor (patrol vehicle, person, threat object).

    ``length_m`` runs along ``heading_deg`` (clockwise from north); sizes are
    true sizes in metres; ``colour_rgb`` is the body colour (0..255).
    """

    @property
    def actor_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def lat_deg(self) -> float: ...
    @property
    def lon_deg(self) -> float: ...
    @property
    def length_m(self) -> float: ...
    @property
    def width_m(self) -> float: ...
    @property
    def height_m(self) -> float: ...
    @property
    def heading_deg(self) -> float: ...
    @property
    def colour_rgb(self) -> Rgb: ...


@dataclass(frozen=True)
class SceneActor:
    """A concrete :class:`ActorLike` (sizes default by kind, see ``DEFAULT_SIZE_M``)."""

    actor_id: str
    kind: str
    lat_deg: float
    lon_deg: float
    colour_rgb: Rgb
    heading_deg: float = 0.0
    length_m: float = -1.0
    width_m: float = -1.0
    height_m: float = -1.0

    @classmethod
    def sized(
        cls,
        actor_id: str,
        kind: str,
        lat_deg: float,
        lon_deg: float,
        size_m: float,
        *,
        heading_deg: float = 0.0,
        colour_rgb: Rgb | None = None,
    ) -> SceneActor:
        """An actor from one characteristic size in metres, as scenarios give it.

        ``size_m`` is a person's height, a vehicle's length or an object's
        width; the other dimensions keep the default proportions. Without a
        colour, one is picked from a palette of typical colours by ``actor_id``.
        """
        length, width, height = DEFAULT_SIZE_M.get(kind, DEFAULT_SIZE_M["object"])
        reference = {"person": height, "vehicle": length}.get(kind, length)
        k = size_m / reference
        if colour_rgb is None:
            palette = ACTOR_PALETTE.get(kind, ACTOR_PALETTE["object"])
            colour_rgb = palette[sum(actor_id.encode()) % len(palette)]
        return cls(
            actor_id, kind, lat_deg, lon_deg, colour_rgb, heading_deg,
            length * k, width * k, height * k,
        )  # fmt: skip

    def __post_init__(self) -> None:
        if self.kind not in DEFAULT_SIZE_M:
            raise ValueError(
                f"actor {self.actor_id!r}: kind {self.kind!r} is not one of "
                f"{sorted(DEFAULT_SIZE_M)}"
            )
        defaults = DEFAULT_SIZE_M[self.kind]
        for name, default in zip(("length_m", "width_m", "height_m"), defaults, strict=True):
            if getattr(self, name) < 0:
                object.__setattr__(self, name, default)


@dataclass
class GroundTexture:
    """The pre-rendered ground: ``coarse`` RGB over the scene's extent, ``detail`` a tile.

    ``coarse[row, col]`` covers local ``x_m = x0_m + col·res_m``,
    ``y_m = y1_m - row·res_m``; ``detail`` is a signed brightness offset
    tiled every ``detail_res_m · detail.shape`` metres; ``scrub`` likewise, every
    ``scrub_res_m · scrub.shape`` metres.
    """

    frame: LocalFrame
    coarse: npt.NDArray[np.uint8]
    x0_m: float
    y1_m: float
    res_m: float
    detail: npt.NDArray[np.float32] = field(repr=False)
    detail_res_m: float
    #: a tiled ``N × N × 3`` signed RGB offset: scrub bushes, stones and their shadows,
    #: with the grit of ``detail`` in it too (when present it is drawn instead of ``detail``)
    scrub: npt.NDArray[np.float32] | None = field(default=None, repr=False)
    scrub_res_m: float = 0.08
    #: the roads as local ``(x_m, y_m)`` polylines: drawn sharp, with ruts, near the camera
    roads_xy: tuple[npt.NDArray[np.float64], ...] = field(default=(), repr=False)
    road_width_m: float = 6.0


def _smooth_noise(
    rng: np.random.Generator, shape: tuple[int, int], cell_px: int
) -> npt.NDArray[np.float32]:
    """Value noise in about [-1, 1] with features of ``cell_px`` pixels."""
    small = (max(2, shape[0] // cell_px + 2), max(2, shape[1] // cell_px + 2))
    grid = rng.uniform(-1.0, 1.0, size=small).astype(np.float32)
    big = cv2.resize(grid, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    return np.clip(big, -1.0, 1.0)


def _periodic_noise(rng: np.random.Generator, size_px: int) -> npt.NDArray[np.float32]:
    """Seamlessly tileable fine-grain noise (grit, pebbles), about ±8 brightness."""
    white = rng.normal(size=(size_px, size_px))
    freq = np.fft.fftfreq(size_px)
    radius = np.hypot(freq[:, None], freq[None, :])
    shaped = np.real(np.fft.ifft2(np.fft.fft2(white) * np.exp(-((radius / 0.12) ** 2))))
    shaped *= 4.0 / max(float(shaped.std()), 1e-9)
    return np.clip(shaped, -8.0, 8.0).astype(np.float32)


SCRUB_RGB_OFFSET = (-30.0, -16.0, -34.0)  # olive-grey desert scrub on sand
STONE_RGB_OFFSET = (-22.0, -24.0, -20.0)
SUN_FROM = (0.7, -0.7)  # (x right, y down) in the tile: the light comes from the south-east


def _scrub_tile(rng: np.random.Generator, size_px: int, res_m: float) -> npt.NDArray[np.float32]:
    """Seamless scrub and stones, as a signed RGB offset (small, low contrast: not targets).

    Bushes are 0.4–1.4 m clumps of darker olive with a soft shadow on the
    side away from the sun; stones are 0.1–0.4 m grey-brown with a lit top.
    Every clump stays well inside the contrast a target has, so it reads as
    clutter, not as something to report.
    """
    tile = np.zeros((size_px, size_px, 3), np.float32)
    shadow = np.zeros((size_px, size_px), np.float32)
    clumps = np.zeros((size_px, size_px), np.float32)
    stones = np.zeros((size_px, size_px), np.float32)
    lit = np.zeros((size_px, size_px), np.float32)
    area_m2 = (size_px * res_m) ** 2
    for _ in range(int(area_m2 * 0.012)):  # about one bush per 80 m²
        r = rng.uniform(0.2, 0.7) / res_m
        cx, cy = rng.uniform(0, size_px, 2)
        for dx in (-size_px, 0, size_px):  # draw across the edges so the tile wraps
            for dy in (-size_px, 0, size_px):
                if -2 * r < cx + dx < size_px + 2 * r and -2 * r < cy + dy < size_px + 2 * r:
                    x, y = cx + dx, cy + dy
                    axes = (max(1, round(r)), max(1, round(r * rng.uniform(0.6, 1.0))))
                    off = (round(x - SUN_FROM[0] * r * 0.8), round(y - SUN_FROM[1] * r * 0.8))
                    cv2.ellipse(shadow, off, axes, 0, 0, 360, 1.0, -1, cv2.LINE_AA)
                    cv2.ellipse(clumps, (round(x), round(y)), axes, 0, 0, 360, 1.0, -1, cv2.LINE_AA)
    for _ in range(int(area_m2 * 0.05)):  # stones, one per 20 m²
        r = rng.uniform(0.05, 0.2) / res_m
        x, y = (round(v) for v in rng.uniform(0, size_px, 2))
        cv2.circle(stones, (x, y), max(1, round(r)), 1.0, -1, cv2.LINE_AA)
        cv2.circle(lit, (x + round(SUN_FROM[0] * r * 0.4), y + round(SUN_FROM[1] * r * 0.4)),
                   max(1, round(r * 0.5)), 1.0, -1, cv2.LINE_AA)  # fmt: skip
    clumps = np.asarray(cv2.GaussianBlur(clumps, (0, 0), 1.0), np.float32)
    texture = 0.6 + 0.4 * _smooth_noise(rng, (size_px, size_px), 6)  # leafy, not flat
    shadow = np.clip(shadow - clumps, 0.0, 1.0)
    for c in range(3):
        tile[..., c] = clumps * texture * SCRUB_RGB_OFFSET[c] + stones * STONE_RGB_OFFSET[c]
        tile[..., c] += -14.0 * shadow + 18.0 * lit * stones
    return tile


#: the most |ΔR| + |ΔG| + |ΔB| clutter may add to the terrain (a target stands out by more)
CLUTTER_MAX_CONTRAST = 90.0


def _limit_contrast(tile: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Scale down the offsets where bushes, stones and grit pile up beyond the limit."""
    total = np.abs(tile).sum(axis=2, keepdims=True)
    return np.asarray(
        tile * np.minimum(1.0, CLUTTER_MAX_CONTRAST / np.maximum(total, 1e-6)), np.float32
    )


def build_ground(
    frame: LocalFrame,
    roads_lat_lon_deg: Sequence[Sequence[tuple[float, float]]],
    *,
    extent_m: tuple[float, float, float, float] | None = None,
    margin_m: float = 1500.0,
    road_width_m: float = 6.0,
    max_texture_px: int = 6000,
    seed: int = 7,
) -> GroundTexture:
    """Render the ground texture once.

    ``roads_lat_lon_deg`` are polylines (the patrol route among them) drawn
    ``road_width_m`` wide. ``extent_m`` is ``(x_min, y_min, x_max, y_max)``
    local metres; by default the roads' bounding box grown by ``margin_m``.
    The resolution is chosen so neither side exceeds ``max_texture_px``
    (never finer than 0.25 m per pixel).
    """
    rng = np.random.default_rng(seed)
    lines_xy = []
    for line in roads_lat_lon_deg:
        pts = np.asarray(line, dtype=float).reshape(-1, 2)
        if len(pts) < 2:
            raise ValueError("a road polyline needs at least two (lat_deg, lon_deg) points")
        x, y = frame.to_local(pts[:, 0], pts[:, 1])
        lines_xy.append(np.column_stack([x, y]))
    if extent_m is None:
        if lines_xy:
            allpts = np.vstack(lines_xy)
            extent_m = (
                float(allpts[:, 0].min()) - margin_m,
                float(allpts[:, 1].min()) - margin_m,
                float(allpts[:, 0].max()) + margin_m,
                float(allpts[:, 1].max()) + margin_m,
            )
        else:
            extent_m = (-margin_m, -margin_m, margin_m, margin_m)
    x0, y0, x1, y1 = extent_m
    res = max(0.25, max(x1 - x0, y1 - y0) / max_texture_px)
    cols, rows = math.ceil((x1 - x0) / res), math.ceil((y1 - y0) / res)

    # Gentle large-scale colour variation: dunes, darker gravel, faint scrub.
    brightness = 14.0 * _smooth_noise(rng, (rows, cols), max(8, int(120 / res)))
    brightness += 6.0 * _smooth_noise(rng, (rows, cols), max(4, int(25 / res)))
    tint = 8.0 * _smooth_noise(rng, (rows, cols), max(8, int(200 / res)))
    # patches where scrub grows thicker (along wadis): darker and greener from afar
    growth = np.clip(_smooth_noise(rng, (rows, cols), max(4, int(60 / res))), 0.0, 1.0)
    brightness -= 10.0 * growth
    tint -= 6.0 * growth
    base = np.array(SAND_RGB, dtype=np.float32)
    coarse = np.empty((rows, cols, 3), dtype=np.float32)
    coarse[..., 0] = base[0] + brightness + tint
    coarse[..., 1] = base[1] + brightness
    coarse[..., 2] = base[2] + brightness - tint
    texture: npt.NDArray[np.uint8] = np.clip(coarse, 0, 255).astype(np.uint8)

    thickness = max(1, round(road_width_m / res))
    for xy in lines_xy:
        px = np.column_stack([(xy[:, 0] - x0) / res, (y1 - xy[:, 1]) / res])
        vertices = np.round(px * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(texture, [vertices], False, ROAD_RGB, thickness, cv2.LINE_AA, shift=4)
    texture = np.asarray(cv2.GaussianBlur(texture, (0, 0), sigmaX=max(0.6, 1.0 / res)), np.uint8)

    if res <= 1.0:  # fine enough for the wheel ruts of the road to show
        rut = max(1, round(0.5 / res))
        for xy in lines_xy:
            d = np.diff(xy, axis=0)
            normal = (
                np.column_stack([-d[:, 1], d[:, 0]])
                / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)[:, None]
            )
            normal = np.vstack([normal, normal[-1:]])
            for side in (-0.9, 0.9):
                shifted = xy + side * normal
                px = np.column_stack([(shifted[:, 0] - x0) / res, (y1 - shifted[:, 1]) / res])
                vertices = np.round(px * 16).astype(np.int32).reshape(-1, 1, 2)
                cv2.polylines(texture, [vertices], False, RUT_RGB, rut, cv2.LINE_AA, shift=4)
    detail = _periodic_noise(rng, 512)
    return GroundTexture(
        frame=frame,
        coarse=texture,
        x0_m=x0,
        y1_m=y1,
        res_m=res,
        detail=detail.astype(np.float32),
        detail_res_m=0.08,
        # the grit again in the scrub tile: the renderer then samples one tile, not two
        scrub=_limit_contrast(_scrub_tile(rng, 1024, 0.08) + np.tile(detail, (2, 2))[..., None]),
        scrub_res_m=0.08,
        roads_xy=tuple(lines_xy),
        road_width_m=road_width_m,
    )
