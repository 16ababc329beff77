"""Scenario files and the ground truth they drive."""

from __future__ import annotations

import json
import random
import socket
from pathlib import Path

import pytest

from overwatch.errors import MissionError
from overwatch.scenario import BadSentences, Outlier
from overwatch.scenario.loader import load_scenario
from simulator.pose import VehiclePose
from simulator.scenario.actors import STATIC_SLACK_S, World
from simulator.scenario.publish import nmea_checksum
from simulator.scenario.runner import FeedTarget, ScenarioRunner
from simulator.scenario.sensor import CameraPose, look

MISSIONS = Path(__file__).resolve().parents[2] / "missions"
DEMO = MISSIONS / "vehicle-patrol.scenario.yaml"


@pytest.fixture(scope="module")
def world() -> World:
    return World(load_scenario(DEMO))


def test_demo_scenario_loads_with_three_threats_a_halt_and_a_detour(world: World) -> None:
    s = world.scenario
    assert [t.kind for t in s.threats] == ["person", "vehicle", "object"]
    assert s.patrol.late_start_s == 60.0
    assert len(s.patrol.detours) == 1 and len(s.patrol.halts) == 1


def test_late_start_and_extra_halt_delay_the_patrol(world: World) -> None:
    planned = world.geometry.schedule
    assert world.patrol.station_at(60.0) == 0.0
    # the planned 5 min checkpoint plus the scenario's 4 min
    checkpoint = 7931.6
    # the detour bends the path, but the timetable runs on route stations
    assert world.patrol.end_s == pytest.approx(60.0 + planned.duration_s + 240.0, rel=1e-9)
    assert world.patrol_arrival_s(checkpoint + 10) - world.patrol_arrival_s(checkpoint - 10) > 540


def test_every_example_scenario_loads_and_a_static_watch_outlasts_the_patrol() -> None:
    for path in sorted(MISSIONS.glob("*.scenario.yaml")):
        w = World(load_scenario(path))
        overwatch = w.scenario.mission.overwatch
        if overwatch.strategy == "static":
            # the customs post: a 6 min drive, then a 45 min watch the exercise must outlast
            assert overwatch.static.duration_s is not None
            assert w.patrol.end_s < overwatch.static.duration_s
            assert w.end_s == overwatch.static.duration_s + STATIC_SLACK_S, path
        else:
            assert w.end_s == w.patrol.end_s + 30.0, path


def test_the_detour_leaves_the_route_and_comes_back(world: World) -> None:
    d = world.scenario.patrol.detours[0]
    mid = (d.from_m + d.to_m) / 2
    t_mid = world.patrol_arrival_s(mid)
    assert world.patrol.off_route_m(t_mid) == pytest.approx(abs(d.offset_m), rel=0.01)
    assert world.patrol.off_route_m(world.patrol_arrival_s(d.to_m + 50)) == 0.0


def test_dropouts_silence_the_tracker(world: World) -> None:
    drop = world.scenario.patrol.dropouts[0]
    assert world.patrol.reporting(drop.at_s - 1)
    assert not world.patrol.reporting(drop.at_s + 1)
    assert world.patrol.reporting(drop.at_s + drop.duration_s + 1)


def test_sensor_sees_only_inside_the_footprint(world: World) -> None:
    threat = world.threats[0]
    x, y = threat.xy_at(10.0)  # type: ignore[misc]
    rng = random.Random(3)
    over = CameraPose(x, y, 80.0, 0.0, -90.0, 70.0, 55.0)
    away = CameraPose(x + 2000, y, 80.0, 0.0, -90.0, 70.0, 55.0)
    seen = [s for _ in range(50) for s in look(world, 10.0, over, rng)]
    assert len(seen) > 25 and all(s.truth_id == threat.threat.threat_id for s in seen)
    assert all(abs(s.x_m - x) < 60 and abs(s.y_m - y) < 60 for s in seen)
    assert not [s for _ in range(50) for s in look(world, 10.0, away, rng)]


def test_bad_scenarios_say_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"schema_version: 1\nmission: {MISSIONS / 'vehicle-patrol.yaml'}\n"
        "threats:\n  - {id: T1, kind: persn, at: 1 km}\n"
    )
    with pytest.raises(MissionError) as err:
        load_scenario(bad)
    text = str(err.value)
    assert "threats[0].kind" in text and "did you mean 'person'" in text and ":4:" in text
    bad.write_text(
        f"schema_version: 1\nmission: {MISSIONS / 'vehicle-patrol.yaml'}\n"
        "patrol:\n  detours: [{from: 5 km, to: 40 km, offset: 100 m}]\n"
    )
    with pytest.raises(MissionError, match=r"patrol.detours\[0\].to.*beyond the end"):
        load_scenario(bad)


def _patrol_text(tmp_path: Path, patrol: str) -> Path:
    path = tmp_path / "faults.yaml"
    path.write_text(
        f"schema_version: 1\nmission: {MISSIONS / 'vehicle-patrol.yaml'}\npatrol:\n{patrol}"
    )
    return path


def test_outliers_and_bad_sentences_load_with_the_default_bearing(tmp_path: Path) -> None:
    path = _patrol_text(
        tmp_path,
        "  outliers: [{at: 30 min, offset: 3 km}, {at: 200 s, offset: 800 m, bearing: 270 deg}]\n"
        "  bad_sentences: [{at: 10 min, count: 3}]\n",
    )
    patrol = load_scenario(path).patrol
    assert patrol.outliers == (Outlier(1800.0, 3000.0, 45.0), Outlier(200.0, 800.0, 270.0))
    assert patrol.bad_sentences == (BadSentences(600.0, 3),)
    assert load_scenario(DEMO).patrol.outliers == ()


@pytest.mark.parametrize(
    ("patrol", "where", "needle"),
    [
        ("  outliers: [{at: 30 min}]\n", "patrol.outliers[0]", "missing required key 'offset'"),
        ("  outliers: [{at: 1 min, offset: 0 m}]\n", "patrol.outliers[0].offset", "positive"),
        ("  outliers: [{at: 1 min, offset: 3}]\n", "patrol.outliers[0].offset", "missing unit"),
        (
            "  outliers: [{at: 1 min, offset: 3 km, bearing: 400 deg}]\n",
            "patrol.outliers[0].bearing",
            "a bearing from 0 up to 360 deg",
        ),
        ("  outliers: [{at: -5 s, offset: 3 km}]\n", "patrol.outliers[0].at", "too small"),
        ("  bad_sentences: [{at: 10 min}]\n", "patrol.bad_sentences[0]", "'count'"),
        (
            "  bad_sentences: [{at: 10 min, count: 0}]\n",
            "patrol.bad_sentences[0].count",
            "a whole number from 1 to",
        ),
        (
            "  bad_sentences: [{at: 10 min, count: 2.5}]\n",
            "patrol.bad_sentences[0].count",
            "a whole number",
        ),
        ("  bad_sentence: [{at: 10 min, count: 2}]\n", "patrol", "did you mean 'bad_sentences'"),
    ],
)
def test_bad_feed_faults_say_where_and_what_was_expected(
    patrol: str, where: str, needle: str, tmp_path: Path
) -> None:
    with pytest.raises(MissionError) as err:
        load_scenario(_patrol_text(tmp_path, patrol))
    text = str(err.value)
    assert where in text and needle in text and f"{tmp_path / 'faults.yaml'}:4:" in text, text


class _Hover:
    def __init__(self, world: World) -> None:
        self.world = world

    def pose(self) -> VehiclePose:
        lat, lon = self.world.scenario.threats[0].position.as_tuple()
        return VehiclePose(lat, lon, 352.0, 80.0, 0.0, 0.0, 0.0, -90.0, 0.0, 0.0)


async def test_runner_publishes_nmea_and_sightings_on_loopback(
    world: World, tmp_path: Path
) -> None:
    feed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    feed.bind(("127.0.0.1", 0))
    feed.settimeout(2.0)
    sights = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sights.bind(("127.0.0.1", 0))
    sights.settimeout(2.0)
    clock = iter(range(0, 10_000))
    runner = ScenarioRunner(
        world,
        _Hover(world),
        lambda: float(next(clock)),
        patrol_feed=FeedTarget.parse(f"nmea+udp://127.0.0.1:{feed.getsockname()[1]}"),
        sightings_to=("127.0.0.1", sights.getsockname()[1]),
        truth_path=tmp_path / "truth.jsonl",
        pre_roll_s=0.0,
    )
    await runner.run(until_s=30.0, tick_wall_s=0.0)
    data = feed.recv(4096).decode()
    for line in data.strip().splitlines():
        body, _, checksum = line[1:].partition("*")
        assert nmea_checksum(body) == checksum
    assert data.startswith("$GPGGA,")
    assert b"__overwatch" in sights.recv(4096)
    records = [json.loads(x) for x in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert {r["what"] for r in records} >= {"threat", "patrol", "drone", "sighting"}
    feed.close()
    sights.close()


def test_feed_target_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="nmea\\+udp://HOST:PORT"):
        FeedTarget.parse("udp://127.0.0.1:5")


def test_ground_truth_reaches_the_file_a_whole_line_at_a_time(world: World, tmp_path: Path) -> None:
    # a simulator killed mid-run leaves every record it wrote, each one whole
    truth = tmp_path / "truth.jsonl"
    clock = iter(range(0, 10_000))
    runner = ScenarioRunner(
        world,
        _Hover(world),
        lambda: float(next(clock)),
        patrol_feed=None,
        truth_path=truth,
        pre_roll_s=0.0,
    )
    try:
        for t in range(5):
            runner.publish_patrol(float(t))
        text = truth.read_text()  # still open, never flushed by hand
        assert text.endswith("\n") and len(text.splitlines()) >= 5
        assert all(json.loads(line)["what"] for line in text.splitlines())
    finally:
        runner.close()
