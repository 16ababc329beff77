"""``overwatch sim MISSION.yaml`` — simulated ArduCopters homed at the mission's launch sites.

One vehicle per drone of the mission (``--vehicles N`` for another count): vehicle
*i* is drone *i*, homed at its launch site, with its MAVLink system id, a battery
that lasts its endurance and a ground crew that swaps it in its turnaround; vehicles
past the mission's drones are homed beside the first launch site. Each prints a line
``vehicle I: URL (sysid S)``. With ``--scenario`` the patrol and the threats of a
training scenario run beside the team: the patrol's tracker is published as NMEA or
CoT, the stand-in detector's sightings (through every drone's camera) as CoT markers,
and ground truth is logged for scoring. With ``--sitl`` real ArduPilot SITL runs
instead of the built-in simulator (the binary from ``--sitl PATH`` or
``ARDUPILOT_SITL``; the variable alone never switches the backend). With
``--video-out`` vehicle 1 carries a synthetic camera that films the scenario and
streams RTP/H.264 (see docs/video.md).
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
from simulator.fleet import SYSIDS, VehicleSpec

if TYPE_CHECKING:
    from simulator.camera import StreamConfig, SyntheticCamera
    from simulator.fleet import SimulatedFleet
    from simulator.scenario.actors import World

SIM_HELP_EPILOG = (
    "Every option of 'python -m simulator' applies too (--vehicles, --speedup, --loss, "
    "--latency-ms, --outage START:END, --gps-delay, --ekf-delay, --wind, --param NAME=VALUE, …); "
    "run 'python -m simulator --help' for the list. Homes come from the mission. --vehicles N "
    "defaults to the number of drones in the mission (its 'vehicles:' list; 1 with 'vehicle:'): "
    "vehicle i is drone i, at its own launch site with its own sysid, battery and turnaround; "
    "vehicles past the mission's drones sit beside the first launch site."
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
        help="run simulated vehicles (or ArduPilot SITL) homed at the mission's launch sites",
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
    """``python -m simulator``'s options for ``mission``: one vehicle per drone of the mission
    unless ``--vehicles`` says how many; vehicle *i* is drone *i* (``ns.team[i]``, a
    :class:`~simulator.fleet.VehicleSpec`): homed at its launch site, its system id, a pack
    that gives its endurance and its ground crew's swap time, each unless ``extra`` (more
    options) gives it. ``--lat``/``--lon``/``--alt`` are the first launch site, where vehicles
    past the mission's drones sit, with the first drone's pack and crew. A GCS failsafe
    timeout of two wall seconds unless ``extra`` gives one."""
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
    parser = sim_cli.build_parser()
    parser.set_defaults(vehicles=None)  # given or not: by default, one per drone
    ns = parser.parse_args(home + extra)
    drones = mission.drones
    if ns.vehicles is None:
        ns.vehicles = len(drones)
    if not 1 <= ns.vehicles <= len(SYSIDS):
        raise SimulatorError(
            f"--vehicles: expected 1 to {len(SYSIDS)} vehicles (one MAVLink system id each), "
            f"got {ns.vehicles}"
        )
    # SITL's instance i opens its serial ports and RC input from base + 10·i up to + 4
    last_port = ns.base_port + 10 * (ns.vehicles - 1) + (4 if sitl else 0)
    if ns.base_port != 0 and last_port > 65535:
        raise SimulatorError(
            f"--base-port {ns.base_port} leaves no room for --vehicles {ns.vehicles} "
            f"(vehicle {ns.vehicles} would listen on {last_port}, past 65535)"
        )
    own_capacity = not any(name == "BATT_CAPACITY" for name, _ in ns.param)
    own_swap = not any(name == "SIM_BATT_SWAP_S" for name, _ in ns.param)
    team: list[VehicleSpec] = []
    for i, drone in enumerate(drones[: ns.vehicles]):
        vehicle, launch = drone.vehicle, drone.launch
        if vehicle.sysid not in SYSIDS:
            raise MissionError(
                f"the simulator gives a vehicle a MAVLink system id from 1 to {SYSIDS[-1]}, "
                f"not {vehicle.sysid} (255 is the ground station's)",
                file=str(mission_path),
                field=f"vehicles[{i}].sysid" if len(drones) > 1 else "vehicle.sysid",
            )
        own: dict[str, float] = {}
        if own_capacity:
            capacity_mah = battery_capacity_mah(vehicle.endurance_s, sitl=sitl)
            own["BATT_CAPACITY"] = float(round(capacity_mah))
        if own_swap:
            # the ground crew swaps the pack this long after the drone lands and disarms
            own["SIM_BATT_SWAP_S"] = vehicle.turnaround_s
        where = (launch.site.lat_deg, launch.site.lon_deg, launch.alt_msl_m)
        team.append(VehicleSpec(home=where, sysid=vehicle.sysid, params=own))
    ns.team = tuple(team)
    # vehicles past the mission's drones have the first drone's pack and crew
    for name, value in team[0].params.items():
        ns.param.append((name, value))
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
    from simulator.scenario.runner import FeedTarget, ScenarioRunner, team_of

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
            team=team_of(scenario.mission, f.vehicles, [v.sysid for v in f.vehicles]),
        )
        print(
            f"scenario '{scenario.name}': patrol → {args.patrol_out}, "
            f"sightings → udp {args.sightings_out}",
            flush=True,
        )
        tasks.append(asyncio.create_task(runner.run(tick_wall_s=0.02)))

    try:
        await sim_cli.serve(fleet, on_ready=on_ready, show_sysid=True)
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
    """SITL instances, instance *i* as vehicle *i* of ``ns.team``: homed at its drone's
    launch site with its sysid and its battery, and its own ground crew's battery swaps in
    its turnaround. With a scenario, the patrol, the threats and the stand-in detector run
    beside them, watching every instance over MAVLink on SITL's second port."""
    from overwatch.scenario.model import Scenario
    from simulator.crew import GroundCrew
    from simulator.fleet import team_sysids
    from simulator.scenario.actors import World
    from simulator.scenario.runner import FeedTarget, ScenarioRunner, team_of
    from simulator.sitl import SitlInstance
    from simulator.watcher import MavlinkWatcher

    params = {name: value for name, value in ns.param if name not in _HARNESS_PARAMS}
    swap_s = next((v for name, v in ns.param if name == "SIM_BATT_SWAP_S"), 0.0)
    team: tuple[VehicleSpec, ...] = ns.team
    sysids = team_sysids(ns.vehicles, [spec.sysid for spec in team])
    instances: list[SitlInstance] = []
    tasks: list[asyncio.Task[None]] = []
    watchers: list[MavlinkWatcher] = []
    try:
        for i in range(ns.vehicles):
            spec = team[i] if i < len(team) else VehicleSpec()
            lat, lon, alt = (ns.lat, ns.lon, ns.alt) if spec.home is None else spec.home
            own = {k: v for k, v in spec.params.items() if k not in _HARNESS_PARAMS}
            inst = SitlInstance(
                home=(lat, lon, alt, 0.0),
                binary=args.sitl,
                instance=i,
                sysid=sysids[i],
                speedup=ns.speedup,
                base_port=ns.base_port,
                params={**params, **own},
            )
            instances.append(inst)
            url = await inst.start(timeout_s=120.0)
            print(f"vehicle {i + 1}: {url} (ArduPilot SITL, sysid {inst.sysid})", flush=True)
            watcher = MavlinkWatcher(
                inst.host, inst.port + 2, sysid=inst.sysid or 1, speedup=ns.speedup
            )
            await watcher.start()
            watchers.append(watcher)
            crew_s = float(spec.params.get("SIM_BATT_SWAP_S", swap_s))
            if crew_s > 0:
                crew = GroundCrew(watcher, turnaround_s=crew_s)
                tasks.append(asyncio.create_task(crew.run(), name=f"crew-{i + 1}"))
        if isinstance(scenario, Scenario):
            world = World(scenario)
            drones = scenario.mission.drones
            for i, watcher in enumerate(watchers):
                drone = drones[i] if i < len(drones) else drones[0]
                watcher.gimbal_default(drone.vehicle.camera.gimbal_pitch_deg)
            host, _, port = args.sightings_out.rpartition(":")
            runner = ScenarioRunner(
                world,
                watchers[0],
                watchers[0].time_s,
                patrol_feed=FeedTarget.parse(args.patrol_out),
                sightings_to=(host, int(port)),
                truth_path=args.truth,
                pre_roll_s=args.pre_roll,
                team=team_of(scenario.mission, watchers, sysids),
            )
            watched = ", ".join(
                f"vehicle {i + 1} watched on {inst.watch_url}" for i, inst in enumerate(instances)
            )
            print(
                f"scenario '{scenario.name}': patrol → {args.patrol_out}, "
                f"sightings → udp {args.sightings_out} ({watched})",
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
