"""``overwatch sim MISSION.yaml`` — simulated ArduCopters homed at the mission's launch site.

With ``--scenario`` the patrol and the threats of a training scenario run
beside the vehicle: the patrol's tracker is published as NMEA or CoT, the
stand-in detector's sightings as CoT markers, and ground truth is logged for
scoring. With ``--sitl`` real ArduPilot SITL runs instead of the built-in
simulator (the binary from ``--sitl PATH`` or ``ARDUPILOT_SITL``; the variable
alone never switches the backend). With ``--video-out`` vehicle 1 carries a
synthetic camera that films the scenario and streams RTP/H.264 (see docs/video.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from overwatch.errors import MissionError, SimulatorError
from overwatch.mission import Mission, load_mission
from simulator.failsafes import gcs_failsafe_timeout_s

if TYPE_CHECKING:
    from simulator.camera import StreamConfig, SyntheticCamera
    from simulator.fleet import SimulatedFleet
    from simulator.scenario.actors import World

SIM_HELP_EPILOG = (
    "Every option of 'python -m simulator' applies too (--vehicles, --speedup, --loss, "
    "--latency-ms, --outage START:END, --gps-delay, --ekf-delay, --wind, --param NAME=VALUE, …); "
    "run 'python -m simulator --help' for the list. Home comes from the mission."
)


#: the simulated copter's hover current (A) and its draw at a typical overwatch speed
HOVER_CURRENT_A = 16.0
OVERWATCH_DRAW_FACTOR = 1.17
#: ArduPilot SITL's "+" quad with our motor parameters draws about 30.6 A at 10 m/s
#: (measured on SITL 64a9c787): its pack is sized on that
SITL_OVERWATCH_CURRENT_A = 30.6


def battery_capacity_mah(endurance_s: float, *, sitl: bool = False) -> float:
    """A pack that gives the mission's endurance when flying overwatch (about 10 m/s)."""
    current_a = SITL_OVERWATCH_CURRENT_A if sitl else HOVER_CURRENT_A * OVERWATCH_DRAW_FACTOR
    return current_a * endurance_s / 3.6


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sim",
        help="run simulated vehicles (or ArduPilot SITL) homed at the mission's launch site",
        description=__doc__,
        epilog=SIM_HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("mission", type=Path, help="the mission YAML file")
    p.add_argument("--scenario", type=Path, default=None, help="training scenario YAML")
    p.add_argument(
        "--patrol-out",
        default="nmea+udp://127.0.0.1:10110",
        metavar="URL",
        help="where the scenario's patrol tracker reports (nmea+udp, nmea+tcp, cot+udp, cot+tcp)",
    )
    p.add_argument(
        "--sightings-out",
        default="127.0.0.1:6970",
        metavar="HOST:PORT",
        help="where the stand-in detector sends its CoT markers (UDP)",
    )
    p.add_argument("--truth", type=Path, default=None, help="ground-truth log (JSON lines)")
    p.add_argument(
        "--video-out",
        default=None,
        metavar="HOST:PORT",
        help="stream vehicle 1's synthetic camera as RTP/H.264 to HOST:PORT (UDP) "
        "and advertise it over MAVLink; needs --scenario",
    )
    p.add_argument(
        "--video-fps", type=int, default=15, help="frames per second of the camera (wall clock)"
    )
    p.add_argument(
        "--video-sdp",
        type=Path,
        default=None,
        metavar="PATH",
        help="where to write the stream's SDP file (default: camera.sdp beside --truth, "
        "else in the current directory)",
    )
    p.add_argument(
        "--pre-roll",
        type=float,
        default=180.0,
        help="simulated seconds between boot and the patrol's planned start",
    )
    p.add_argument(
        "--sitl",
        nargs="?",
        const=os.environ.get("ARDUPILOT_SITL", ""),
        default=None,
        metavar="PATH",
        help="run real ArduPilot SITL (the arducopter binary; default $ARDUPILOT_SITL) instead "
        "of the built-in simulator; only when asked, never from the environment alone",
    )
    p.set_defaults(handler=run, pass_unknown=True)


def run(args: argparse.Namespace, extra: list[str] | None = None) -> int:
    if args.sitl == "":
        raise SimulatorError("--sitl: give the arducopter binary, or set ARDUPILOT_SITL")
    mission = load_mission(args.mission)
    ns = simulator_arguments(mission, args.mission, extra or [], sitl=bool(args.sitl))
    video = _video_options(args)
    if args.sitl:
        return _run_sitl(args, ns)
    scenario = None
    if args.scenario is not None:
        from overwatch.scenario.loader import load_scenario

        scenario = load_scenario(args.scenario)
    elif video is not None:
        raise SimulatorError("--video-out needs --scenario: the camera films the scenario's world")
    args.video = video
    from simulator import cli as sim_cli

    fleet = sim_cli.fleet_from(ns)
    try:
        asyncio.run(_serve(fleet, scenario, args))
    except KeyboardInterrupt:
        print("simulator: stopped", file=sys.stderr)
    return 0


def simulator_arguments(
    mission: Mission, mission_path: Path, extra: list[str], *, sitl: bool = False
) -> argparse.Namespace:
    """``python -m simulator``'s options for ``mission``: home at its launch site, a pack that
    gives its endurance, the ground crew's swap time and a GCS failsafe timeout of two wall
    seconds, each unless ``extra`` (more options) gives it."""
    from simulator import cli as sim_cli

    site = mission.launch.site
    home = ["--lat", repr(site.lat_deg), "--lon", repr(site.lon_deg)]
    home += ["--alt", repr(mission.launch.alt_msl_m)]
    extra = list(extra)
    for flag in ("--lat", "--lon", "--alt"):
        if flag in extra:
            raise MissionError(
                f"{flag} is not an option of 'overwatch sim': home comes from the mission's "
                "launch site",
                file=str(mission_path),
                field="launch.site",
            )
    if not any(a.startswith("BATT_CAPACITY=") for a in extra):
        extra += [
            "--param",
            f"BATT_CAPACITY={battery_capacity_mah(mission.vehicle.endurance_s, sitl=sitl):.0f}",
        ]
    if not any(a.startswith("SIM_BATT_SWAP_S=") for a in extra):
        # the ground crew swaps the pack this long after the drone lands and disarms
        extra += ["--param", f"SIM_BATT_SWAP_S={mission.vehicle.turnaround_s:g}"]
    ns = sim_cli.build_parser().parse_args(home + extra)
    if not any(name == "FS_GCS_TIMEOUT" for name, _ in ns.param):
        ns.param.append(("FS_GCS_TIMEOUT", gcs_failsafe_timeout_s(ns.speedup)))
    return ns


def _video_options(args: argparse.Namespace) -> StreamConfig | None:
    """The camera's stream from ``--video-out``, ``--video-fps``, ``--video-sdp`` (None: none)."""
    if args.video_out is None:
        return None
    from simulator.camera.stream import StreamConfig

    host, sep, port = str(args.video_out).rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SimulatorError(
            f"--video-out: expected HOST:PORT (e.g. 127.0.0.1:5600), got {args.video_out!r}"
        )
    if args.sitl:
        raise SimulatorError("--video-out runs with the built-in simulator only, not with --sitl")
    sdp = args.video_sdp
    if sdp is None:
        sdp = (args.truth.parent if args.truth is not None else Path(".")) / "camera.sdp"
    if not sdp.parent.is_dir():
        raise SimulatorError(f"--video-sdp: the directory {str(sdp.parent)!r} does not exist")
    try:
        return StreamConfig(host=host, port=int(port), fps=args.video_fps, sdp_path=sdp)
    except ValueError as exc:
        raise SimulatorError(f"--video-out/--video-fps: {exc}") from None


def _build_camera(
    fleet: SimulatedFleet, world: World, config: StreamConfig, pre_roll_s: float
) -> SyntheticCamera:
    """Vehicle 1's camera, filming the scenario's actors at the scenario's clock (not started)."""
    from simulator.camera import SyntheticCamera
    from simulator.camera.scenario_scene import ScenarioScene

    scene = ScenarioScene(world, lambda: fleet.time_s, pre_roll_s=pre_roll_s)
    return SyntheticCamera(
        scene.build_ground(),
        fleet.vehicles[0].pose,
        scene.actors,
        config,
        hfov_deg=world.scenario.mission.vehicle.camera.hfov_deg,
        unix_time_of=scene.unix_time_s,
    )


def _start_camera(fleet: SimulatedFleet, camera: SyntheticCamera) -> None:
    """Start streaming and let vehicle 1 advertise the camera over MAVLink."""
    from simulator.camera import camera_information, video_stream_information
    from simulator.telemetry import attach_camera

    config = camera.config
    camera.start()
    attach_camera(
        fleet.vehicles[0].autopilot,
        camera_information(camera.intrinsics).as_mavlink(),
        video_stream_information(config, camera.intrinsics).as_mavlink(),
    )
    print(
        f"camera: {config.width_px}x{config.height_px} {config.fps} fps RTP/H.264 → "
        f"udp {config.host}:{config.port}, SDP {config.sdp_path}",
        flush=True,
    )


async def _serve(fleet: object, scenario: object, args: argparse.Namespace) -> None:
    from overwatch.scenario.model import Scenario
    from simulator import cli as sim_cli
    from simulator.fleet import SimulatedFleet
    from simulator.scenario.actors import World
    from simulator.scenario.runner import FeedTarget, ScenarioRunner

    assert isinstance(fleet, SimulatedFleet)
    tasks: list[asyncio.Task[None]] = []
    world = World(scenario) if isinstance(scenario, Scenario) else None
    camera = None
    if world is not None and args.video is not None:
        # rendering the ground takes a second or so: before the vehicles' clocks start
        camera = await asyncio.to_thread(_build_camera, fleet, world, args.video, args.pre_roll)

    def on_ready(f: SimulatedFleet) -> None:
        if world is None or not isinstance(scenario, Scenario):
            return
        host, _, port = args.sightings_out.rpartition(":")
        if camera is not None:
            _start_camera(f, camera)
        runner = ScenarioRunner(
            world,
            f.vehicles[0],
            lambda: f.time_s,
            patrol_feed=FeedTarget.parse(args.patrol_out),
            sightings_to=(host, int(port)),
            truth_path=args.truth,
            pre_roll_s=args.pre_roll,
        )
        print(
            f"scenario '{scenario.name}': patrol → {args.patrol_out}, "
            f"sightings → udp {args.sightings_out}",
            flush=True,
        )
        tasks.append(asyncio.create_task(runner.run(tick_wall_s=0.02)))

    try:
        await sim_cli.serve(fleet, on_ready=on_ready)
    finally:
        if camera is not None:
            camera.stop()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _run_sitl(args: argparse.Namespace, ns: argparse.Namespace) -> int:
    if args.video_out is not None:
        raise SimulatorError("--video-out runs with the built-in simulator only, not with --sitl")
    scenario = None
    if args.scenario is not None:
        from overwatch.scenario.loader import load_scenario

        scenario = load_scenario(args.scenario)
    try:
        asyncio.run(_serve_sitl(args, ns, scenario))
    except KeyboardInterrupt:
        print("SITL: stopped", file=sys.stderr)
    return 0


#: built-in simulator parameters that SITL has not: what the training harness does instead
_HARNESS_PARAMS = frozenset({"SIM_BATT_SWAP_S"})


async def _serve_sitl(args: argparse.Namespace, ns: argparse.Namespace, scenario: object) -> None:
    """SITL instances homed at the launch site; with a scenario, the patrol, the threats, the
    stand-in detector and the ground crew's battery swaps beside vehicle 1, which they watch
    over MAVLink on SITL's second port."""
    from overwatch.scenario.model import Scenario
    from simulator.crew import GroundCrew
    from simulator.scenario.actors import World
    from simulator.scenario.runner import FeedTarget, ScenarioRunner
    from simulator.sitl import SitlInstance
    from simulator.watcher import MavlinkWatcher

    params = {name: value for name, value in ns.param if name not in _HARNESS_PARAMS}
    swap_s = next((v for name, v in ns.param if name == "SIM_BATT_SWAP_S"), 0.0)
    instances: list[SitlInstance] = []
    tasks: list[asyncio.Task[None]] = []
    watchers: list[MavlinkWatcher] = []
    try:
        for i in range(ns.vehicles):
            inst = SitlInstance(
                home=(ns.lat, ns.lon, ns.alt, 0.0),
                binary=args.sitl,
                instance=i,
                speedup=ns.speedup,
                base_port=ns.base_port,
                params=params,
            )
            instances.append(inst)
            url = await inst.start(timeout_s=120.0)
            print(f"vehicle {i + 1}: {url} (ArduPilot SITL, sysid {inst.sysid})", flush=True)
            watcher = MavlinkWatcher(
                inst.host, inst.port + 2, sysid=inst.sysid or 1, speedup=ns.speedup
            )
            await watcher.start()
            watchers.append(watcher)
            if swap_s > 0:
                crew = GroundCrew(watcher, turnaround_s=swap_s)
                tasks.append(asyncio.create_task(crew.run(), name=f"crew-{i + 1}"))
        if isinstance(scenario, Scenario):
            world = World(scenario)
            watchers[0].gimbal_default(scenario.mission.vehicle.camera.gimbal_pitch_deg)
            host, _, port = args.sightings_out.rpartition(":")
            runner = ScenarioRunner(
                world,
                watchers[0],
                watchers[0].time_s,
                patrol_feed=FeedTarget.parse(args.patrol_out),
                sightings_to=(host, int(port)),
                truth_path=args.truth,
                pre_roll_s=args.pre_roll,
            )
            print(
                f"scenario '{scenario.name}': patrol → {args.patrol_out}, "
                f"sightings → udp {args.sightings_out} (vehicle 1 watched on "
                f"{instances[0].watch_url})",
                flush=True,
            )
            tasks.append(asyncio.create_task(runner.run(tick_wall_s=0.02), name="scenario"))
        await asyncio.Event().wait()
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for watcher in watchers:
            await watcher.stop()
        for inst in instances:
            await inst.stop()
