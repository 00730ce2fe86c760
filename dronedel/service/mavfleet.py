"""MAVLink vehicles for the service: ArduPilot SITL instances started here, or vehicles already running.

Each vehicle has its own thread (pymavlink blocks) that connects, waits until the vehicle is
ready to arm, and then serves the service's requests in order: at loading it uploads the
flight's mission, fence and rally (:func:`dronedel.link.upload_all`), at take-off it sets the
first item, switches to AUTO and arms (:class:`dronedel.sitl.Vehicle`, which retries the
transient pre-arm refusals). Telemetry (GLOBAL_POSITION_INT, BATTERY_STATUS) and the
disarm after landing come back as :class:`~dronedel.service.vehicles.Report` items through a
thread-safe queue; a refused upload or arming comes back as ``failed`` with the vehicle's words.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import SiteConfig
from ..errors import DronedelError
from ..intent.f3548 import pads_lonlat
from ..link import upload_all
from ..mission.items import Mission
from ..sitl import Home, SitlOptions, SitlProcess, Vehicle, default_frame_file, default_param_file, find_arducopter
from .store import FlightRow
from .trajectory import Trajectory
from .vehicles import Report

__all__ = ["MavlinkFleet", "sitl_fleet"]

#: Real seconds between two telemetry reports of one vehicle.
_TELEMETRY_S = 0.2


class _Link(threading.Thread):
    """One vehicle's thread: ``open()`` gives a connected :class:`Vehicle`."""

    def __init__(self, drone: int, open_vehicle: Callable[[], Vehicle], clock: Callable[[], float],
                 reports: queue.SimpleQueue) -> None:
        super().__init__(name=f"dronedel-vehicle-{drone}", daemon=True)
        self.drone = drone
        self.open_vehicle = open_vehicle
        self.clock = clock
        self.reports = reports
        self.requests: queue.SimpleQueue[tuple[str, FlightRow, Callable[[], Mission] | None]] = queue.SimpleQueue()
        self.heard = time.time()
        self.flying: int | None = None
        self.stopping = threading.Event()
        self.vehicle: Vehicle | None = None
        self._armed_seen = False
        self._battery: float | None = None
        self._sent = 0.0

    def _report(self, kind: str, flight_id: int | None, **fields: Any) -> None:
        self.reports.put(Report(kind, self.drone, self.clock(), flight_id, **fields))

    def run(self) -> None:
        try:
            self.vehicle = self.open_vehicle()
            self.vehicle.request_rates()
            self.vehicle.wait_ready_to_arm()
        except (DronedelError, OSError) as exc:
            self._report("failed", None, detail=f"vehicle {self.drone} not ready: {exc}")
            return
        while not self.stopping.is_set():
            try:
                self._serve()
                msg = self.vehicle.recv(0.1)
            except (DronedelError, OSError):
                time.sleep(0.1)  # a silent link: the service's watch raises link_lost
                continue
            if msg is not None:
                self._note(msg)

    def _serve(self) -> None:
        try:
            action, flight, mission = self.requests.get_nowait()
        except queue.Empty:
            return
        try:
            if action == "prepare":
                upload_all(self.vehicle.conn, mission())
            elif action == "launch":
                self.vehicle.set_current_item(1)
                self.vehicle.set_mode("AUTO")
                self.vehicle.arm()
                self.flying, self._armed_seen = flight.flight_id, True
                self._report("airborne", flight.flight_id)
            else:
                self.flying, self._armed_seen = flight.flight_id, self.vehicle.armed
        except DronedelError as exc:
            self._report("failed", flight.flight_id, detail=f"{'upload' if action == 'prepare' else 'arming'} "
                                                            f"refused: {exc}")

    def _note(self, msg: Any) -> None:
        self.heard = time.time()
        kind = msg.get_type()
        if kind == "BATTERY_STATUS" and msg.battery_remaining >= 0:
            self._battery = msg.battery_remaining / 100.0
        elif kind == "GLOBAL_POSITION_INT" and self.heard - self._sent >= _TELEMETRY_S:
            self._sent = self.heard
            self._report("telemetry", self.flying, lon=msg.lon / 1e7, lat=msg.lat / 1e7, alt_m=msg.relative_alt / 1000,
                         battery=self._battery)
        elif kind == "HEARTBEAT" and self.flying is not None and msg.get_srcComponent() == 1:
            armed = self.vehicle.armed
            if armed:
                self._armed_seen = True
            elif self._armed_seen:
                self._report("landed", self.flying)
                self.flying, self._armed_seen = None, False


class MavlinkFleet:
    """Vehicles reached over MAVLink, one per drone; ``openers[k]()`` connects drone ``k``.

    ``persistent``: the vehicles outlive the service (they are not started by it).
    ``processes`` are SITL processes to stop on :meth:`close`.
    """

    def __init__(self, openers: list[Callable[[], Vehicle]], clock: Callable[[], float], speedup: float,
                 persistent: bool, processes: list[SitlProcess] = (),
                 home_pads: tuple[int, ...] | None = None) -> None:
        self.count = len(openers)
        self.persistent = persistent
        self.exact = False
        self.home_pads = home_pads
        self.speedup = speedup
        self.processes = list(processes)
        self._reports: queue.SimpleQueue[Report] = queue.SimpleQueue()
        self.links = [_Link(k, opener, clock, self._reports) for k, opener in enumerate(openers)]
        for link in self.links:
            link.start()

    def prepare(self, flight: FlightRow, mission: Callable[[], Mission]) -> None:
        """Build the mission and upload it to the drone's vehicle (in the vehicle's thread)."""
        self.links[flight.drone].requests.put(("prepare", flight, mission))

    def launch(self, flight: FlightRow, trajectory: Trajectory) -> None:
        """Arm and fly the uploaded mission in AUTO."""
        self.links[flight.drone].requests.put(("launch", flight, None))

    def resume(self, flight: FlightRow, trajectory: Trajectory) -> None:
        """Follow a flight the vehicle is flying since before a restart."""
        self.links[flight.drone].requests.put(("resume", flight, None))

    def poll(self, now_s: float) -> list[Report]:
        """Reports queued by the vehicle threads."""
        out = []
        while True:
            try:
                out.append(self._reports.get_nowait())
            except queue.Empty:
                return out

    def silent_s(self, drone: int, now_s: float) -> float:
        """Service seconds since drone ``drone``'s vehicle last sent anything."""
        return (time.time() - self.links[drone].heard) * self.speedup

    def close(self) -> None:
        """Stop the threads and the SITL processes started here."""
        for link in self.links:
            link.stopping.set()
        for link in self.links:
            link.join(timeout=2.0)
            if link.vehicle is not None:
                link.vehicle.close()
        for process in self.processes:
            process.stop()


def sitl_fleet(count: int, config: SiteConfig, speedup: float, binary: Path | None,
                clock: Callable[[], float]) -> MavlinkFleet:
    """``count`` SITL vehicles at ``speedup``, vehicle ``k`` homed at the site's pad ``k`` (modulo the pads)."""
    found = find_arducopter(binary)
    pads = list(pads_lonlat(config).values())
    processes = []
    try:
        for k in range(count):
            lon, lat = pads[k % len(pads)]
            home = Home(lon, lat, config.site.elevation_m, config.site.heading_deg)
            options = SitlOptions(found, home, (default_param_file(),), speedup=speedup,
                                  frame_file=default_frame_file(), wind=config.planning.wind)
            processes.append(SitlProcess(options).start())
    except DronedelError:
        for p in processes:
            p.stop()
        raise
    openers = [lambda p=p: Vehicle.connect(p) for p in processes]
    return MavlinkFleet(openers, clock, speedup, persistent=False, processes=processes,
                        home_pads=tuple(k % len(pads) for k in range(count)))
