"""Render the camera's view of the scene, vectorised with numpy and OpenCV.

Per frame: every pixel's ray (``R·K⁻¹·(u, v, 1)``) is intersected with the
ground plane at home altitude. For a plane that map is a homography, so
OpenCV's ``warpPerspective`` does the per-pixel intersection and the texture
lookup in one pass over the pre-rendered ground (colour layer + tiled grit).
A precomputed coarse grid of rays (every 8 px) gives the ground range for
haze and the grit fade; the sky is painted above the exact horizon line.
The actors' shadows darken the ground (the sun at ``sun_azimuth_deg`` /
``sun_elevation_deg``), then each actor is drawn far to near at its true
position and size, as the shaded boxes of its silhouette
(:mod:`simulator.camera.shapes`: a vehicle's wheels, body, glazed cabin and
roof; a person's legs, torso, arms and head).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from overwatch.camera import Box, CameraIntrinsics, PoseLike, RgbImage
from simulator.camera.projection import camera_to_ned
from simulator.camera.scene import HAZE_RGB, ROAD_RGB, RUT_RGB, SKY_RGB, ActorLike, GroundTexture
from simulator.camera.shapes import parts_of

F32 = npt.NDArray[np.float32]
SUBPIXEL_SHIFT = 4
GRID_STEP = 8  # pixels between the coarse rays used for haze and sky
ROAD_SEGMENT_M = 10.0  # road polylines are cut into quads this long to be drawn near the camera
ROAD_DRAW_M = 500.0  # ground range within which the road is drawn sharp (the texture beyond)
SCRUB_FADE_M = 300.0  # ground range where single bushes and stones blend into the terrain
GRIT_FADE_M = 120.0  # the same for the grit alone (grounds without scrub)


@dataclass(frozen=True)
class ActorTruth:
    """Where an actor really is and how it appears in one rendered frame.

    ``box`` is its projected bounding box clipped to the image (pixels);
    ``fully_visible`` whether the unclipped box lies inside the image;
    ``slant_range_m`` camera → actor centre.
    """

    actor_id: str
    kind: str
    lat_deg: float
    lon_deg: float
    box: Box
    fully_visible: bool
    slant_range_m: float


class GroundRenderer:
    """Renders ``intrinsics``-sized RGB frames of a :class:`GroundTexture` plus actors."""

    def __init__(
        self,
        ground: GroundTexture,
        intrinsics: CameraIntrinsics,
        *,
        stabilised_gimbal: bool = True,
        haze_start_m: float = 400.0,
        haze_full_m: float = 2500.0,
        sun_azimuth_deg: float = 135.0,
        sun_elevation_deg: float = 50.0,
        shadow_darkness: float = 0.14,
    ) -> None:
        self.ground = ground
        self.intrinsics = intrinsics
        self.stabilised_gimbal = stabilised_gimbal
        self.haze_start_m = haze_start_m
        self.haze_full_m = haze_full_m
        w, h, f = intrinsics.width_px, intrinsics.height_px, intrinsics.focal_px
        # Pixel (i, j) → camera ray through its centre: K⁻¹ with the half-pixel shift.
        self._k_inv = np.array(
            [
                [1.0 / f, 0.0, (0.5 - intrinsics.cx_px) / f],
                [0.0, 1.0 / f, (0.5 - intrinsics.cy_px) / f],
                [0.0, 0.0, 1.0],
            ]
        )
        # A coarse grid of rays (every GRID_STEP px) for the per-pixel haze, grit fade and sky.
        gu = (np.arange(0, w, GRID_STEP, dtype=np.float32) + 0.5 - intrinsics.cx_px) / f
        gv = (np.arange(0, h, GRID_STEP, dtype=np.float32) + 0.5 - intrinsics.cy_px) / f
        uu, vv = np.meshgrid(gu, gv)
        self._grid_rays: F32 = np.stack([uu, vv, np.ones_like(uu)], axis=-1)
        self._sky = np.empty((h, w, 3), dtype=np.uint8)
        self._sky[:] = SKY_RGB
        self._haze = np.array(HAZE_RGB, dtype=np.float32)
        self.shadow_darkness = shadow_darkness
        self._roads = _road_quads(ground.roads_xy, ground.road_width_m)
        # the scrub tile as uint8 around 128: the warp is faster than on float32
        self._scrub = (
            None if ground.scrub is None else np.clip(ground.scrub + 128.0, 0, 255).astype(np.uint8)
        )
        # metres a shadow moves along the ground (N, E) per metre of height above it
        az, el = math.radians(sun_azimuth_deg), math.radians(max(5.0, sun_elevation_deg))
        self._shadow_step = np.array([-math.cos(az), -math.sin(az), 0.0]) / math.tan(el)

    def render(
        self, pose: PoseLike, actors: Sequence[ActorLike] = ()
    ) -> tuple[RgbImage, list[ActorTruth]]:
        """One frame seen from ``pose``, and the ground truth of every actor in view."""
        image = self._render_ground(pose)
        self._draw_roads(image, pose)
        truths = self._draw_actors(image, pose, actors)
        return image, truths

    # -- ground ---------------------------------------------------------------------

    def _camera_ned(self, pose: PoseLike) -> tuple[float, float, float]:
        x_m, y_m = self.ground.frame.to_local(pose.lat_deg, pose.lon_deg)
        return y_m, x_m, -pose.alt_rel_m

    def _ground_homography(
        self, rot: npt.NDArray[np.float64], north: float, east: float, height_m: float
    ) -> npt.NDArray[np.float64]:
        """Image pixel → local ground (east, north, 1), homogeneous.

        A pixel ray ``d = R·K⁻¹·(u, v, 1)`` meets the plane ``height_m`` below
        the camera at ``(east + height·d_e/d_d, north + height·d_n/d_d)``,
        which is projective in ``(u, v)``.
        """
        a = rot @ self._k_inv  # rows: north, east, down components of the ray
        return np.vstack([east * a[2] + height_m * a[1], north * a[2] + height_m * a[0], a[2]])

    def _render_ground(self, pose: PoseLike) -> RgbImage:
        g = self.ground
        h, w = self.intrinsics.height_px, self.intrinsics.width_px
        north, east, down = self._camera_ned(pose)
        height_m = -down
        rot = camera_to_ned(pose, stabilised_gimbal=self.stabilised_gimbal)
        to_ground = self._ground_homography(rot, north, east, height_m)
        to_texture = np.array(
            [
                [1.0 / g.res_m, 0.0, -g.x0_m / g.res_m],
                [0.0, -1.0 / g.res_m, g.y1_m / g.res_m],
                [0, 0, 1],
            ]
        )
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        image = cv2.warpPerspective(
            g.coarse, to_texture @ to_ground, (w, h), flags=flags, borderMode=cv2.BORDER_REFLECT
        )
        if self._scrub is not None:  # grit, scrub and stones in one tile
            to_detail = np.diag([1.0 / g.scrub_res_m, -1.0 / g.scrub_res_m, 1.0])
            tile: npt.NDArray[np.uint8] | npt.NDArray[np.float32] = self._scrub
        else:
            to_detail = np.diag([1.0 / g.detail_res_m, -1.0 / g.detail_res_m, 1.0])
            tile = g.detail
        detail = cv2.warpPerspective(
            tile, to_detail @ to_ground, (w, h), flags=flags, borderMode=cv2.BORDER_WRAP
        )
        # Haze, grit fade and sky from the coarse ray grid, interpolated to full size.
        d = self._grid_rays @ rot.T.astype(np.float32)
        d_down = d[..., 2]
        hits = d_down > 1e-4
        ground_range = np.where(
            hits, height_m * np.hypot(d[..., 0], d[..., 1]) / np.maximum(d_down, 1e-4), 1e9
        ).astype(np.float32)
        fade_m = SCRUB_FADE_M if self._scrub is not None else GRIT_FADE_M
        fade = np.clip(1.0 - ground_range / fade_m, 0.0, 1.0)
        haze = np.clip(
            (ground_range - self.haze_start_m) / (self.haze_full_m - self.haze_start_m), 0.0, 0.85
        )
        fade = cv2.resize(fade, (w, h), interpolation=cv2.INTER_LINEAR)
        haze = cv2.resize(haze, (w, h), interpolation=cv2.INTER_LINEAR)
        shaded = image.astype(np.float32)
        if self._scrub is not None:
            shaded += (detail.astype(np.float32) - 128.0) * fade[..., None]
        else:
            shaded += (detail * fade)[..., None]
        shaded += haze[..., None] * (self._haze - shaded)
        out: RgbImage = np.clip(shaded, 0, 255).astype(np.uint8)
        if not hits.all():
            # Exact horizon: the ray's down component is linear in (u, v).
            a_down = (rot @ self._k_inv)[2]
            cols = np.arange(w) * a_down[0]
            rows = np.arange(h) * a_down[1] + a_down[2]
            sky = (rows[:, None] + cols[None, :]) <= 1e-4
            out[sky] = self._sky[sky]
        return out

    def _draw_roads(self, image: RgbImage, pose: PoseLike) -> None:
        """The road surface and its wheel ruts near the camera, sharp (the texture is coarse)."""
        quads, centres = self._roads
        if not len(quads):
            return
        cam = np.array(self._camera_ned(pose))
        near = np.hypot(centres[:, 0] - cam[1], centres[:, 1] - cam[0]) < ROAD_DRAW_M
        if not near.any():
            return
        rot = camera_to_ned(pose, stabilised_gimbal=self.stabilised_gimbal)
        xy = quads[near]  # (n, 3 strips, 4 corners, 2): road, left rut, right rut
        ned = np.stack([xy[..., 1], xy[..., 0], np.zeros(xy.shape[:-1])], axis=-1)
        pts_cam = (ned - cam) @ rot
        ahead = (pts_cam[..., 2] > 0.5).all(axis=(1, 2))
        if not ahead.any():
            return
        pts_cam = pts_cam[ahead]
        f = self.intrinsics.focal_px
        u = f * pts_cam[..., 0] / pts_cam[..., 2] + self.intrinsics.cx_px
        v = f * pts_cam[..., 1] / pts_cam[..., 2] + self.intrinsics.cy_px
        w, h = self.intrinsics.width_px, self.intrinsics.height_px
        seen = (u.max(axis=(1, 2)) >= 0) & (u.min(axis=(1, 2)) < w)
        seen &= (v.max(axis=(1, 2)) >= 0) & (v.min(axis=(1, 2)) < h)
        if not seen.any():
            return
        scale = 1 << SUBPIXEL_SHIFT
        uv = np.round(np.stack([u[seen], v[seen]], axis=-1) * scale).astype(np.int32)
        # clipped to a margin around the image: OpenCV's fixed-point drawing needs small numbers
        uv = np.clip(uv, -w * scale, 2 * w * scale)
        for strip, colour in ((0, ROAD_RGB), (1, RUT_RGB), (2, RUT_RGB)):
            cv2.fillPoly(image, list(uv[:, strip]), colour, cv2.LINE_AA, SUBPIXEL_SHIFT)

    # -- actors ---------------------------------------------------------------------

    def _draw_actors(
        self, image: RgbImage, pose: PoseLike, actors: Sequence[ActorLike]
    ) -> list[ActorTruth]:
        if not actors:
            return []
        cam = np.array(self._camera_ned(pose))
        rot = camera_to_ned(pose, stabilised_gimbal=self.stabilised_gimbal)
        lat = np.array([a.lat_deg for a in actors])
        lon = np.array([a.lon_deg for a in actors])
        xs, ys = self.ground.frame.to_local(lat, lon)
        order = np.argsort(-np.hypot(ys - cam[0], xs - cam[1]))  # far first (painter)
        bodies = [_Body.of(actors[i], float(ys[i]), float(xs[i])) for i in order]
        self._draw_shadows(image, bodies, cam, rot)
        truths: list[ActorTruth] = []
        for body in bodies:
            truth = self._draw_body(image, body, cam, rot)
            if truth is not None:
                truths.append(truth)
        return truths

    def _project(
        self, pts_ned: npt.NDArray[np.float64], cam: npt.NDArray[np.float64], rot: Rotation
    ) -> npt.NDArray[np.float64] | None:
        """``(..., 3)`` NED points → ``(..., 2)`` pixels; None if any is behind the camera."""
        pts_cam = (pts_ned - cam) @ rot  # rot.T applied to row vectors
        if np.any(pts_cam[..., 2] < 0.5):
            return None
        f = self.intrinsics.focal_px
        u = f * pts_cam[..., 0] / pts_cam[..., 2] + self.intrinsics.cx_px
        v = f * pts_cam[..., 1] / pts_cam[..., 2] + self.intrinsics.cy_px
        return np.stack([u, v], axis=-1)

    def _in_image(self, uv: npt.NDArray[np.float64]) -> bool:
        w, h = self.intrinsics.width_px, self.intrinsics.height_px
        u, v = uv[..., 0], uv[..., 1]
        return not (u.max() < 0 or v.max() < 0 or u.min() >= w or v.min() >= h)

    def _draw_shadows(
        self, image: RgbImage, bodies: Sequence[_Body], cam: npt.NDArray[np.float64], rot: Rotation
    ) -> None:
        """Darken the ground where the actors' shadows fall (soft-edged, before any body)."""
        if self.shadow_darkness <= 0.0:
            return
        polygons: list[npt.NDArray[np.int32]] = []
        for body in bodies:
            uv = self._project(body.shadow_points(self._shadow_step), cam, rot)
            if uv is None or not self._in_image(uv):
                continue
            scale = 1 << SUBPIXEL_SHIFT
            polygons.extend(np.round(part * scale).astype(np.int32) for part in uv)
        if not polygons:
            return
        h, w = image.shape[:2]
        stacked = np.vstack(polygons) >> SUBPIXEL_SHIFT
        x0, y0 = max(0, int(stacked[:, 0].min()) - 1), max(0, int(stacked[:, 1].min()) - 1)
        x1, y1 = min(w, int(stacked[:, 0].max()) + 2), min(h, int(stacked[:, 1].max()) + 2)
        if x1 <= x0 or y1 <= y0:
            return
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        offset = np.array([x0 << SUBPIXEL_SHIFT, y0 << SUBPIXEL_SHIFT], np.int32)
        for poly in polygons:
            hull = cv2.convexHull(poly - offset)
            cv2.fillConvexPoly(mask, hull, 255, cv2.LINE_AA, SUBPIXEL_SHIFT)
        roi = image[y0:y1, x0:x1]
        keep = 1.0 - (self.shadow_darkness / 255.0) * mask.astype(np.float32)
        roi[:] = (roi * keep[..., None]).astype(np.uint8)

    def _draw_body(
        self, image: RgbImage, body: _Body, cam: npt.NDArray[np.float64], rot: Rotation
    ) -> ActorTruth | None:
        corners = body.corners()  # (parts, 8, 3): bottom face, then top face
        uv = self._project(corners, cam, rot)
        if uv is None or not self._in_image(uv):
            return None
        depth = np.linalg.norm(corners.mean(axis=1) - cam, axis=1)
        scale = 1 << SUBPIXEL_SHIFT
        for k in np.argsort(-depth):  # far parts first
            part_uv = np.round(uv[k] * scale).astype(np.int32)
            colour = np.array(body.colours[k], dtype=np.float32)
            side = tuple(int(c) for c in colour * 0.72)
            cv2.fillConvexPoly(image, cv2.convexHull(part_uv), side, cv2.LINE_AA, SUBPIXEL_SHIFT)
            top = tuple(int(c) for c in colour)
            cv2.fillConvexPoly(image, part_uv[4:], top, cv2.LINE_AA, SUBPIXEL_SHIFT)
        w, h = self.intrinsics.width_px, self.intrinsics.height_px
        u, v = uv[..., 0], uv[..., 1]
        full = Box(float(u.min()), float(v.min()), float(u.max()), float(v.max()))
        clipped = Box(max(0.0, full.x0), max(0.0, full.y0), min(w, full.x1), min(h, full.y1))
        actor = body.actor
        mid = body.centre + np.array([0.0, 0.0, -0.5 * actor.height_m])
        return ActorTruth(
            actor_id=actor.actor_id,
            kind=actor.kind,
            lat_deg=actor.lat_deg,
            lon_deg=actor.lon_deg,
            box=clipped,
            fully_visible=clipped == full,
            slant_range_m=float(np.linalg.norm(mid - cam)),
        )


Rotation = npt.NDArray[np.float64]


@dataclass(frozen=True)
class _Body:
    """An actor's parts placed in local NED (metres): where each box's corners are."""

    actor: ActorLike
    centre: npt.NDArray[np.float64]
    axes: npt.NDArray[np.float64]  # rows: forward, right, up (NED)
    parts: npt.NDArray[np.float64]  # (parts, 6): x, y, half_l, half_w, z0, z1 in metres
    colours: tuple[tuple[float, float, float], ...]

    @classmethod
    def of(cls, actor: ActorLike, north_m: float, east_m: float) -> _Body:
        heading = math.radians(actor.heading_deg)
        axes = np.array(
            [
                [math.cos(heading), math.sin(heading), 0.0],
                [-math.sin(heading), math.cos(heading), 0.0],
                [0.0, 0.0, -1.0],
            ]
        )
        length, width, height = actor.length_m, actor.width_m, actor.height_m
        parts = parts_of(actor.kind)
        sizes = np.array(
            [
                (p.x * length, p.y * width, p.half_l * length, p.half_w * width,
                 p.z0 * height, p.z1 * height)
                for p in parts
            ]
        )  # fmt: skip
        colours = tuple(p.rgb(actor.colour_rgb) for p in parts)
        return cls(actor, np.array([north_m, east_m, 0.0]), axes, sizes, colours)

    def _footprints(self) -> npt.NDArray[np.float64]:
        """``(parts, 4, 3)``: each part's footprint corners on the ground, NED."""
        fwd, right = self.axes[0], self.axes[1]
        x, y, hl, hw = (self.parts[:, i, None] for i in range(4))
        sl = np.array([1.0, 1.0, -1.0, -1.0])
        sw = np.array([1.0, -1.0, -1.0, 1.0])
        along = (x + sl * hl)[..., None] * fwd
        across = (y + sw * hw)[..., None] * right
        return np.asarray(self.centre + along + across, np.float64)

    def corners(self) -> npt.NDArray[np.float64]:
        """``(parts, 8, 3)``: bottom face then top face of each part, NED."""
        feet = self._footprints()
        up = self.axes[2]
        bottom = feet + self.parts[:, 4, None, None] * up
        top = feet + self.parts[:, 5, None, None] * up
        return np.concatenate([bottom, top], axis=1)

    def shadow_points(self, step: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """``(parts, 8, 3)``: each part's shadow outline on the ground (the footprint cast
        from its bottom and its top along ``step``, metres of shadow per metre of height)."""
        feet = self._footprints()
        low = feet + self.parts[:, 4, None, None] * step
        high = feet + self.parts[:, 5, None, None] * step
        return np.concatenate([low, high], axis=1)


def _road_quads(
    roads_xy: Sequence[npt.NDArray[np.float64]], width_m: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each road cut into ``ROAD_SEGMENT_M`` pieces: ``(n, 3, 4, 2)`` quads (road surface,
    left and right wheel rut) in local ``(x_m, y_m)``, and ``(n, 2)`` piece centres."""
    quads: list[npt.NDArray[np.float64]] = []
    for line in roads_xy:
        pts = np.asarray(line, np.float64)
        for a, b in itertools.pairwise(pts):
            length = float(np.hypot(*(b - a)))
            if length < 1e-6:
                continue
            steps = max(1, math.ceil(length / ROAD_SEGMENT_M))
            t = np.linspace(0.0, 1.0, steps + 1)[:, None]
            ends = a + t * (b - a)
            normal = np.array([-(b - a)[1], (b - a)[0]]) / length
            # pieces overlap a little so that no seam shows between them
            p0, p1 = ends[:-1] - 0.02 * (b - a) / length, ends[1:] + 0.02 * (b - a) / length
            strips = []
            for offset, half in ((0.0, width_m / 2), (-0.9, 0.22), (0.9, 0.22)):
                lo, hi = (offset - half) * normal, (offset + half) * normal
                strips.append(np.stack([p0 + lo, p1 + lo, p1 + hi, p0 + hi], axis=1))
            quads.append(np.stack(strips, axis=1))
    if not quads:
        return np.zeros((0, 3, 4, 2)), np.zeros((0, 2))
    all_quads = np.concatenate(quads)
    return all_quads, all_quads[:, 0].mean(axis=1)
