"""An in-process vehicle that speaks the MAVLink mission and parameter protocols over TCP.

It behaves like ArduPilot's MissionItemProtocol (re-requests a missing item, answers an
out-of-order item with INVALID_SEQUENCE, cancels a stalled upload) and can be told to
misbehave: drop or repeat messages either way, NACK an item, report a wrong count, refuse
parameters, or say nothing at all.
"""

from __future__ import annotations

import random
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pymavlink.dialects.v20 import ardupilotmega as mavlink

Filter = Callable[[object], int]  # message -> how many copies to deliver (0 drops it)


def keep(msg: object) -> int:
    return 1


def drop_every(kind: str, n: int) -> Filter:
    """Drop every ``n``-th message of type ``kind`` (the n-th, 2n-th, ...)."""
    seen = {"count": 0}

    def rule(msg: object) -> int:
        if msg.get_type() != kind:
            return 1
        seen["count"] += 1
        return 0 if seen["count"] % n == 0 else 1
    return rule


def drop_first(kind: str, k: int = 1) -> Filter:
    """Drop the first ``k`` messages of type ``kind``."""
    seen = {"count": 0}

    def rule(msg: object) -> int:
        if msg.get_type() != kind:
            return 1
        seen["count"] += 1
        return 0 if seen["count"] <= k else 1
    return rule


def repeat_all(kind: str) -> Filter:
    """Deliver every message of type ``kind`` twice."""
    return lambda msg: 2 if msg.get_type() == kind else 1


def lossy(probability: float, seed: int) -> Filter:
    """Drop each mission-protocol message with ``probability`` (heartbeats always pass)."""
    rng = random.Random(seed)
    return lambda msg: 1 if msg.get_type() == "HEARTBEAT" or rng.random() >= probability else 0


def drop_all(kind: str) -> Filter:
    return lambda msg: 0 if msg.get_type() == kind else 1


@dataclass
class Faults:
    """Misbehaviour of the fake vehicle; the defaults are a well-behaved vehicle."""

    incoming: Filter = keep                  # applied to what the ground station sends
    outgoing: Filter = keep                  # applied to what the vehicle sends
    nack_item: tuple[int, int] | None = None  # (seq, MAV_MISSION_RESULT) to answer that item with
    nack_count: int | None = None            # MAV_MISSION_RESULT to answer MISSION_COUNT with
    count_offset: int = 0                    # added to the count reported on download
    request_beyond: bool = False             # on upload, ask for item ``count`` after the last one
    accept_early: int | None = None          # send ACCEPTED after this many items
    discard_upload: bool = False             # finish an upload without storing the list
    reject_params: set[str] = field(default_factory=set)  # params whose new value is not kept


class FakeVehicle:
    """A vehicle on ``127.0.0.1:port``; connect with ``tcp:127.0.0.1:{port}``."""

    def __init__(self, faults: Faults | None = None, *, legacy_requests: bool = True,
                 rerequest_s: float = 0.15, upload_timeout_s: float = 1.5, signing_key: bytes | None = None,
                 params: dict[str, float] | None = None) -> None:
        self.faults = faults or Faults()
        self.legacy_requests = legacy_requests
        self.rerequest_s = rerequest_s
        self.upload_timeout_s = upload_timeout_s
        self.lists: dict[int, list] = {0: [], 1: [], 2: []}
        self.params = dict(params or {"FENCE_ENABLE": 0.0, "FENCE_TYPE": 7.0, "FENCE_ACTION": 1.0,
                                      "FENCE_ALT_MAX": 100.0, "FENCE_MARGIN": 2.0})
        self.received: list[object] = []
        self.acks_received: list[object] = []
        self._receiving: dict | None = None
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(1)
        self.port = self._server.getsockname()[1]
        self._sock: socket.socket | None = None
        self._stop = threading.Event()
        self.mav = mavlink.MAVLink(self, srcSystem=1, srcComponent=1)
        self.mav.robust_parsing = True
        if signing_key is not None:
            self.mav.signing.secret_key = signing_key
            self.mav.signing.sign_outgoing = True
            self.mav.signing.link_id = 0
            self.mav.signing.timestamp = int((time.time() - 1420070400) * 100_000)  # 10 us since 2015
            self.mav.signing.allow_unsigned_callback = lambda mav, msg_id: msg_id == mavlink.MAVLINK_MSG_ID_HEARTBEAT
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def address(self) -> str:
        return f"tcp:127.0.0.1:{self.port}"

    def __enter__(self) -> "FakeVehicle":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for s in (self._sock, self._server):
            if s is not None:
                s.close()

    # file-like target of self.mav.send
    def write(self, buf: bytes) -> None:
        if self._sock is not None:
            try:
                self._sock.sendall(buf)
            except OSError:
                pass

    def _send(self, msg: object) -> None:
        for _ in range(self.faults.outgoing(msg)):
            self.mav.send(msg)

    def _run(self) -> None:
        self._server.settimeout(5)
        try:
            self._sock, _ = self._server.accept()
        except OSError:
            return
        last_heartbeat = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            if now - last_heartbeat > 0.2:
                self._send(mavlink.MAVLink_heartbeat_message(
                    mavlink.MAV_TYPE_QUADROTOR, mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA, 0, 0, 0, 3))
                last_heartbeat = now
            self._tick(now)
            ready, _, _ = select.select([self._sock], [], [], 0.02)
            if not ready:
                continue
            try:
                data = self._sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            for msg in self.mav.parse_buffer(data) or []:
                if msg.get_type() == "BAD_DATA":
                    continue
                for _ in range(self.faults.incoming(msg)):
                    self.received.append(msg)
                    self._handle(msg)

    # ---- the protocols -------------------------------------------------------------------
    def _ack(self, result: int, mission_type: int) -> None:
        self._send(mavlink.MAVLink_mission_ack_message(255, 190, result, mission_type))

    def _request(self, seq: int, mission_type: int) -> None:
        cls = mavlink.MAVLink_mission_request_message if self.legacy_requests else mavlink.MAVLink_mission_request_int_message
        self._send(cls(255, 190, seq, mission_type))
        self._receiving["last_request"] = time.monotonic()

    def _tick(self, now: float) -> None:
        r = self._receiving
        if r is None:
            return
        if now - r["last_item"] > self.upload_timeout_s:
            self._receiving = None
            self._ack(mavlink.MAV_MISSION_OPERATION_CANCELLED, r["type"])
        elif now - r["last_request"] > self.rerequest_s:
            self._request(r["next"], r["type"])

    def _handle(self, msg: object) -> None:
        kind = msg.get_type()
        handler = getattr(self, f"_on_{kind.lower()}", None)
        if handler is not None:
            handler(msg)

    def _on_mission_count(self, msg: object) -> None:
        if self.faults.nack_count is not None:
            self._ack(self.faults.nack_count, msg.mission_type)
            return
        if msg.count == 0:
            self.lists[msg.mission_type] = []
            self._ack(mavlink.MAV_MISSION_ACCEPTED, msg.mission_type)
            return
        now = time.monotonic()
        self._receiving = {"type": msg.mission_type, "count": msg.count, "next": 0, "items": [],
                           "last_item": now, "last_request": now}
        self._request(0, msg.mission_type)

    def _on_mission_item_int(self, msg: object) -> None:
        r = self._receiving
        if r is None or msg.mission_type != r["type"]:
            self._ack(mavlink.MAV_MISSION_ERROR, msg.mission_type)
            return
        if msg.seq != r["next"]:
            self._ack(mavlink.MAV_MISSION_INVALID_SEQUENCE, r["type"])
            return
        if self.faults.nack_item is not None and self.faults.nack_item[0] == msg.seq:
            self._receiving = None
            self._ack(self.faults.nack_item[1], r["type"])
            return
        r["items"].append(msg)
        r["next"] += 1
        r["last_item"] = time.monotonic()
        if self.faults.accept_early is not None and r["next"] == self.faults.accept_early:
            self._receiving = None
            self._ack(mavlink.MAV_MISSION_ACCEPTED, r["type"])
            return
        if r["next"] == r["count"]:
            if self.faults.request_beyond:
                self._request(r["count"], r["type"])
                return
            if not self.faults.discard_upload:
                self.lists[r["type"]] = r["items"]
            self._receiving = None
            self._ack(mavlink.MAV_MISSION_ACCEPTED, r["type"])
            return
        self._request(r["next"], r["type"])

    _on_mission_item = _on_mission_item_int

    def _on_mission_request_list(self, msg: object) -> None:
        count = len(self.lists[msg.mission_type]) + self.faults.count_offset
        self._send(mavlink.MAVLink_mission_count_message(255, 190, count, msg.mission_type))

    def _on_mission_request_int(self, msg: object) -> None:
        items = self.lists[msg.mission_type]
        if msg.seq >= len(items):
            self._ack(mavlink.MAV_MISSION_INVALID_SEQUENCE, msg.mission_type)
            return
        item = items[msg.seq]
        self._send(mavlink.MAVLink_mission_item_int_message(
            255, 190, item.seq, item.frame, item.command, item.current, item.autocontinue, item.param1,
            item.param2, item.param3, item.param4, item.x, item.y, item.z, msg.mission_type))

    def _on_mission_ack(self, msg: object) -> None:
        self.acks_received.append(msg)

    def _on_param_set(self, msg: object) -> None:
        name = msg.param_id
        if name not in self.params:
            return
        if name not in self.faults.reject_params:
            self.params[name] = msg.param_value
        self._send(mavlink.MAVLink_param_value_message(
            name.encode("ascii"), self.params[name], mavlink.MAV_PARAM_TYPE_REAL32, len(self.params), 0))

    def _on_param_request_read(self, msg: object) -> None:
        name = msg.param_id
        if name in self.params:
            self._send(mavlink.MAVLink_param_value_message(
                name.encode("ascii"), self.params[name], mavlink.MAV_PARAM_TYPE_REAL32, len(self.params), 0))
