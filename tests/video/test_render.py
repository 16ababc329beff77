"""What the synthetic camera draws: silhouettes at true size, their shadows, the scrub."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from overwatch.camera import CameraIntrinsics, CameraPose, RgbImage
from overwatch.video import BlobDetector
from simulator.camera.render import GroundRenderer
from simulator.camera.scene import ROAD_RGB, RUT_RGB, GroundTexture, SceneActor
from simulator.camera.shapes import GLASS, TYRE
from tests.video.scene import FRAME, HOME_ALT_MSL_M

CAM = CameraIntrinsics(640, 480, 60.0)


def _eye_level(north_m: float = 0.0, height_m: float = 1.0) -> CameraPose:
    """A camera ``height_m`` above the ground, looking north along the horizon."""
    lat, lon = FRAME.to_wgs84(0.0, north_m)
    return CameraPose(
        lat, lon, HOME_ALT_MSL_M + height_m, height_m, yaw_deg=0.0, gimbal_pitch_deg=0.0
    )


def _actor(kind: str, north_m: float, heading_deg: float = 90.0) -> SceneActor:
    lat, lon = FRAME.to_wgs84(0.0, north_m)
    return SceneActor("a", kind, lat, lon, (200, 60, 40), heading_deg=heading_deg)


def _silhouette(renderer: GroundRenderer, pose: CameraPose, actor: SceneActor) -> RgbImage:
    """A mask of the pixels the actor (and its shadow) changes."""
    with_actor, _ = renderer.render(pose, [actor])
    without, _ = renderer.render(pose, [])
    return np.abs(with_actor.astype(int) - without.astype(int)).sum(axis=2) > 30  # type: ignore[no-any-return]


def test_a_person_stands_at_true_height_with_a_head_narrower_than_the_shoulders(
    ground: GroundTexture,
) -> None:
    renderer = GroundRenderer(ground, CAM, shadow_darkness=0.0)
    person = _actor("person", 20.0, heading_deg=0.0)  # facing away: shoulders across
    mask = _silhouette(renderer, _eye_level(), person)
    rows = np.flatnonzero(mask.any(axis=1))
    height_px = rows[-1] - rows[0] + 1
    # 1.75 m at about 20 m: f · h / d pixels
    assert height_px == pytest.approx(CAM.focal_px * 1.75 / 20.0, rel=0.12)
    widths = mask.sum(axis=1)
    head = widths[rows[0] : rows[0] + height_px // 10].max()
    shoulders = widths[rows[0] + height_px // 4 : rows[0] + height_px // 3].max()
    assert head < 0.7 * shoulders, (head, shoulders)


def test_a_vehicle_has_its_length_wheels_and_glazed_cabin(ground: GroundTexture) -> None:
    renderer = GroundRenderer(ground, CAM, shadow_darkness=0.0)
    car = _actor("vehicle", 25.0, heading_deg=90.0)  # side on
    image, truths = renderer.render(_eye_level(), [car])
    mask = _silhouette(renderer, _eye_level(), car)
    cols = np.flatnonzero(mask.any(axis=0))
    assert cols[-1] - cols[0] + 1 == pytest.approx(CAM.focal_px * 4.6 / 25.0, rel=0.12)
    (truth,) = truths
    box = truth.box
    pixels = image[int(box.y0) : int(box.y1), int(box.x0) : int(box.x1)].reshape(-1, 3)

    def near(colour: tuple[int, int, int]) -> int:
        shades = (np.array(colour), np.array(colour) * 0.72)
        return int(sum((np.abs(pixels - c).sum(axis=1) < 24).sum() for c in shades))

    assert near(TYRE) > 20, "no wheels"
    assert near(GLASS) > 20, "no windows"
    bottom = image[int(box.y1) - 2, int(box.x0) : int(box.x1)]
    assert (np.abs(bottom.astype(int) - TYRE).sum(axis=1) < 40).any(), "wheels off the ground"


def test_shadows_fall_away_from_the_sun_and_only_there(ground: GroundTexture) -> None:
    lat, lon = FRAME.to_wgs84(0.0, 0.0)
    above = CameraPose(lat, lon, HOME_ALT_MSL_M + 40.0, 40.0, gimbal_pitch_deg=-90.0)
    truck = _actor("vehicle", 0.0)
    sunny = GroundRenderer(ground, CAM, sun_azimuth_deg=90.0, sun_elevation_deg=45.0)
    flat = GroundRenderer(ground, CAM, shadow_darkness=0.0)
    lit, (truth,) = sunny.render(above, [truck])
    plain, _ = flat.render(above, [truck])
    darker = plain.astype(int).sum(axis=2) - lit.astype(int).sum(axis=2)
    shadowed = darker > 20
    _, xs = np.nonzero(shadowed)
    assert len(xs) > 50
    # the sun in the east, the camera looking down with north up the image: the shadow is west
    assert xs.mean() < truth.box.x0 + 2
    assert darker[:, int(truth.box.x1) + 5 :].max() <= 0  # nothing east of the truck


def test_scrub_and_stones_clutter_the_ground_below_a_targets_contrast(
    ground: GroundTexture,
) -> None:
    assert ground.scrub is not None
    offsets = np.abs(ground.scrub).sum(axis=2)
    assert (offsets > 25).mean() > 0.01, "hardly any scrub"
    assert offsets.max() <= 90.01, "clutter as contrasty as a target"
    lat, lon = FRAME.to_wgs84(150.0, 150.0)  # away from the road and the actors
    pose = CameraPose(lat, lon, HOME_ALT_MSL_M + 30.0, 30.0, gimbal_pitch_deg=-60.0)
    cluttered, _ = GroundRenderer(ground, CAM).render(pose)
    bare, _ = GroundRenderer(replace(ground, scrub=None), CAM).render(pose)
    assert cluttered.astype(float).std() > bare.astype(float).std()
    assert BlobDetector().detect(cluttered) == []


def test_the_road_is_drawn_sharp_with_wheel_ruts(ground: GroundTexture) -> None:
    lat, lon = FRAME.to_wgs84(0.0, -4.0)  # on the road (see tests/video/scene.py)
    above = CameraPose(lat, lon, HOME_ALT_MSL_M + 30.0, 30.0, gimbal_pitch_deg=-90.0)
    image, _ = GroundRenderer(ground, CAM).render(above)
    centre = image[235:245, 315:325].reshape(-1, 3).astype(int)
    assert (np.abs(centre - ROAD_RGB).sum(axis=1) < 12).mean() > 0.5, centre[:3]
    # 0.9 m either side of the centre line: one rut each, about 6 px off at 30 m
    rut = (np.abs(image.reshape(-1, 3).astype(int) - RUT_RGB).sum(axis=1) < 10).sum()
    assert rut > 200
    # 6 m wide at 30 m: f · 6 / 30 pixels across, with a sharp edge
    column = image[:, 320].astype(int)
    on_road = np.abs(column - ROAD_RGB).sum(axis=1) < 30
    assert on_road.sum() == pytest.approx(
        CAM.focal_px * 6.0 / 30.0 / np.cos(np.radians(9)), rel=0.2
    )
