"""Render the camera's view of the scene, vectorised with numpy and OpenCV.

Per frame: every pixel's ray (``R·K⁻¹·(u, v, 1)``) is intersected with the
ground plane at home altitude. For a plane that map is a homography, so
OpenCV's ``warpPerspective`` does the per-pixel intersection and the texture
lookup in one pass over the pre-rendered ground (colour layer + tiled grit).
A precomputed coarse grid of rays (every 8 px) gives the ground range for
haze and the grit fade; the sky is painted above the exact horizon line.
Then each actor is drawn as a shaded 3-D box at its true position and size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from overwatch.video.types import Box, CameraIntrinsics, PoseLike, RgbImage
from simulator.camera.projection import camera_to_ned
from simulator.camera.scene import HAZE_RGB, SKY_RGB, ActorLike, GroundTexture

F32 = npt.NDArray[np.float32]
SUBPIXEL_SHIFT = 4
GRID_STEP = 8  # pixels between the coarse rays used for haze and sky


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

    def render(
        self, pose: PoseLike, actors: Sequence[ActorLike] = ()
    ) -> tuple[RgbImage, list[ActorTruth]]:
        """One frame seen from ``pose``, and the ground truth of every actor in view."""
        image = self._render_ground(pose)
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
        to_detail = np.diag([1.0 / g.detail_res_m, -1.0 / g.detail_res_m, 1.0])
        detail = cv2.warpPerspective(
            g.detail, to_detail @ to_ground, (w, h), flags=flags, borderMode=cv2.BORDER_WRAP
        )
        # Haze, grit fade and sky from the coarse ray grid, interpolated to full size.
        d = self._grid_rays @ rot.T.astype(np.float32)
        d_down = d[..., 2]
        hits = d_down > 1e-4
        ground_range = np.where(
            hits, height_m * np.hypot(d[..., 0], d[..., 1]) / np.maximum(d_down, 1e-4), 1e9
        ).astype(np.float32)
        fade = np.clip(1.0 - ground_range / 120.0, 0.0, 1.0)
        haze = np.clip(
            (ground_range - self.haze_start_m) / (self.haze_full_m - self.haze_start_m), 0.0, 0.85
        )
        fade = cv2.resize(fade, (w, h), interpolation=cv2.INTER_LINEAR)
        haze = cv2.resize(haze, (w, h), interpolation=cv2.INTER_LINEAR)
        shaded = image.astype(np.float32)
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
        truths: list[ActorTruth] = []
        for i in order:
            truth = self._draw_actor(image, actors[i], float(ys[i]), float(xs[i]), cam, rot)
            if truth is not None:
                truths.append(truth)
        return truths

    def _draw_actor(
        self,
        image: RgbImage,
        actor: ActorLike,
        north_m: float,
        east_m: float,
        cam: npt.NDArray[np.float64],
        rot: npt.NDArray[np.float64],
    ) -> ActorTruth | None:
        heading = math.radians(actor.heading_deg)
        fwd = np.array([math.cos(heading), math.sin(heading), 0.0])
        right = np.array([-math.sin(heading), math.cos(heading), 0.0])
        up = np.array([0.0, 0.0, -1.0])
        centre = np.array([north_m, east_m, 0.0])
        half_l, half_w = actor.length_m / 2.0, actor.width_m / 2.0
        corners = []
        for z in (0.0, actor.height_m):
            for sl, sw in ((1, 1), (1, -1), (-1, -1), (-1, 1)):
                corners.append(centre + sl * half_l * fwd + sw * half_w * right + z * up)
        pts_ned = np.array(corners)
        pts_cam = (pts_ned - cam) @ rot  # rot.T applied to row vectors
        if np.any(pts_cam[:, 2] < 0.5):
            return None
        f = self.intrinsics.focal_px
        u = f * pts_cam[:, 0] / pts_cam[:, 2] + self.intrinsics.cx_px
        v = f * pts_cam[:, 1] / pts_cam[:, 2] + self.intrinsics.cy_px
        w, h = self.intrinsics.width_px, self.intrinsics.height_px
        if u.max() < 0 or v.max() < 0 or u.min() >= w or v.min() >= h:
            return None
        uv = np.column_stack([u, v])
        scale = 1 << SUBPIXEL_SHIFT
        hull = cv2.convexHull(np.round(uv * scale).astype(np.int32))
        colour = np.array(actor.colour_rgb, dtype=np.float32)
        side = tuple(int(c) for c in colour * 0.72)
        cv2.fillConvexPoly(image, hull, side, cv2.LINE_AA, SUBPIXEL_SHIFT)
        top = np.round(uv[4:] * scale).astype(np.int32)
        top_colour = tuple(int(c) for c in colour)
        cv2.fillConvexPoly(image, top, top_colour, cv2.LINE_AA, SUBPIXEL_SHIFT)
        full = Box(float(u.min()), float(v.min()), float(u.max()), float(v.max()))
        clipped = Box(max(0.0, full.x0), max(0.0, full.y0), min(w, full.x1), min(h, full.y1))
        mid = centre + 0.5 * actor.height_m * up
        return ActorTruth(
            actor_id=actor.actor_id,
            kind=actor.kind,
            lat_deg=actor.lat_deg,
            lon_deg=actor.lon_deg,
            box=clipped,
            fully_visible=clipped == full,
            slant_range_m=float(np.linalg.norm(mid - cam)),
        )
