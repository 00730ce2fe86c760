"""Mission, fence and rally transfer over the MAVLink mission protocol.

Upload: MISSION_COUNT, then answer each MISSION_REQUEST_INT (or legacy MISSION_REQUEST,
which ArduPilot sends between items) with MISSION_ITEM_INT until MISSION_ACK. Download:
MISSION_REQUEST_LIST, MISSION_COUNT, one MISSION_REQUEST_INT per item, then our MISSION_ACK.
Every wait has a timeout; a lost message is re-sent, a repeated request answered again.
An upload succeeds only on MISSION_ACK ACCEPTED after the vehicle asked for every item.

``conn`` is a pymavlink ``mavutil`` connection whose ``target_system`` and
``target_component`` name the vehicle (see :func:`dronedel.link.connect`). Nothing else
may read from it while a transfer runs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..mission.items import FENCE, MISSION, MISSION_TYPE_NAMES, RALLY, Mission, MissionItem, has_location, mavlink
from .errors import LinkError, LinkTimeout, MissionRejected

__all__ = [
    "Timing", "DEFAULT_TIMING", "upload_mission", "download_mission", "upload_all", "download_all",
    "clear_mission", "stored_as_sent",
]

_REQUESTS = ("MISSION_REQUEST_INT", "MISSION_REQUEST")
_ITEMS = ("MISSION_ITEM_INT", "MISSION_ITEM")
_ALL = (*_REQUESTS, *_ITEMS, "MISSION_ACK", "MISSION_COUNT")


@dataclass(frozen=True)
class Timing:
    """How long to wait for each answer (s) and how often to try again before giving up.

    ArduPilot re-requests a missing item every second and abandons an upload after 8 s
    without one, so the defaults answer well inside that.
    """

    item_timeout_s: float = 1.5
    retries: int = 5


DEFAULT_TIMING = Timing()


def _name(mission_type: int) -> str:
    return MISSION_TYPE_NAMES.get(mission_type, str(mission_type))


def _check_protocol(conn: Any, mission_type: int) -> None:
    if mission_type not in MISSION_TYPE_NAMES:
        raise ValueError(f"unknown mission type {mission_type}")
    if mission_type != MISSION and float(conn.WIRE_PROTOCOL_VERSION) < 2:
        raise LinkError(f"{_name(mission_type)} transfers need MAVLink 2; connect with dronedel.link.connect")


def _drain(conn: Any) -> None:
    """Drop mission-protocol messages left over from an earlier exchange."""
    while conn.recv_match(type=list(_ALL), blocking=False) is not None:
        pass


def _recv(conn: Any, types: Sequence[str], mission_type: int, timeout_s: float) -> Any:
    """Next message of ``types`` from the target vehicle about ``mission_type``, or ``None``."""
    deadline = time.monotonic() + timeout_s
    while (remaining := deadline - time.monotonic()) > 0:
        msg = conn.recv_match(type=list(types), blocking=True, timeout=remaining)
        if msg is None:
            return None
        if conn.target_system and msg.get_srcSystem() != conn.target_system:
            continue
        if int(getattr(msg, "mission_type", MISSION) or 0) != mission_type:
            continue
        return msg
    return None


def upload_mission(
    conn: Any, mission_items: Sequence[MissionItem], mission_type: int = MISSION, *, timing: Timing = DEFAULT_TIMING,
) -> None:
    """Upload ``mission_items`` as the vehicle's list of ``mission_type`` (0 mission, 1 fence, 2 rally).

    Items are renumbered from 0 and sent as MISSION_ITEM_INT; for a mission, item 0 is home.
    An empty list clears that list on the vehicle. Returns when the vehicle acknowledged
    the whole list — or, if that acknowledgement is lost after it asked for every item,
    when a download shows it holds the list (:func:`stored_as_sent`); raises :class:`MissionRejected` (the vehicle's MISSION_ACK error,
    translated, naming the item) or :class:`LinkTimeout` otherwise — a partial upload never
    returns normally.
    """
    _check_protocol(conn, mission_type)
    items = [replace(item, seq=i, mission_type=mission_type) for i, item in enumerate(mission_items)]
    count = len(items)
    _drain(conn)

    def send_count() -> None:
        conn.mav.mission_count_send(conn.target_system, conn.target_component, count, mission_type)

    def send_item(seq: int) -> None:
        conn.mav.send(items[seq].to_message(conn.target_system, conn.target_component))

    send_count()
    sent = -1          # highest item sent so far
    last_seq = None    # item most recently sent (the one an error ACK is about)
    repeats = 0        # consecutive requests for the same item, or silent timeouts
    while True:
        msg = _recv(conn, (*_REQUESTS, "MISSION_ACK"), mission_type, timing.item_timeout_s)
        if msg is None:
            repeats += 1
            if sent == count - 1 and _holds(conn, items, mission_type, timing):
                return  # every item was asked for and is stored; only the acknowledgement was lost
            if repeats > timing.retries:
                waited = "the first item request" if sent < 0 else (
                    "the final acknowledgement" if sent == count - 1 else f"a request for item {sent + 1}")
                raise LinkTimeout(
                    f"{_name(mission_type)} upload: no answer from the vehicle while waiting for {waited} "
                    f"({timing.retries} retries of {timing.item_timeout_s:g} s); {sent + 1} of {count} "
                    "items were sent and the list on the vehicle is not complete"
                )
            if sent < 0:
                send_count()
            else:
                send_item(last_seq if last_seq is not None else sent)
            continue
        if msg.get_type() == "MISSION_ACK":
            if msg.type == mavlink.MAV_MISSION_ACCEPTED:
                if sent == count - 1:
                    return
                raise MissionRejected(
                    f"the vehicle acknowledged after only {sent + 1} of {count} items", mission_type, msg.type, sent)
            if msg.type == mavlink.MAV_MISSION_INVALID_SEQUENCE and sent >= 0:
                continue  # a duplicate of an item it already has; it asks for the next one again
            command = items[last_seq].command if last_seq is not None else None
            raise MissionRejected.from_ack(msg.type, mission_type, last_seq, command)
        seq = int(msg.seq)
        if seq >= count:
            raise MissionRejected(
                f"the vehicle asked for item {seq} of a {count}-item list; it does not hold the count we sent",
                mission_type, None, seq)
        repeats = repeats + 1 if seq == last_seq else 0
        if repeats > timing.retries:
            raise LinkTimeout(f"{_name(mission_type)} upload: the vehicle keeps asking for item {seq}; "
                              f"it never received it after {timing.retries} retries")
        send_item(seq)
        last_seq, sent = seq, max(sent, seq)


def _holds(conn: Any, items: Sequence[MissionItem], mission_type: int, timing: Timing) -> bool:
    """True if the vehicle's list of ``mission_type`` is ``items`` as ArduPilot stores them."""
    try:
        back = download_mission(conn, mission_type, timing=replace(timing, retries=1))
    except LinkError:
        return False  # still receiving (DENIED), or not answering: keep on uploading
    first = 1 if mission_type == MISSION else 0  # the vehicle puts its own home at seq 0
    return len(back) == len(items) and all(stored_as_sent(s, b) for s, b in zip(items[first:], back[first:]))


def download_mission(conn: Any, mission_type: int = MISSION, *, timing: Timing = DEFAULT_TIMING) -> list[MissionItem]:
    """Download the vehicle's list of ``mission_type``; items in order, lat/lon in degrees.

    Raises :class:`MissionRejected` if the vehicle refuses an item it counted, and
    :class:`LinkTimeout` if it stops answering.
    """
    _check_protocol(conn, mission_type)
    _drain(conn)
    count = None
    for _ in range(timing.retries + 1):
        conn.mav.mission_request_list_send(conn.target_system, conn.target_component, mission_type)
        msg = _recv(conn, ("MISSION_COUNT", "MISSION_ACK"), mission_type, timing.item_timeout_s)
        if msg is None:
            continue
        if msg.get_type() == "MISSION_ACK":
            raise MissionRejected.from_ack(msg.type, mission_type, None, None)
        count = int(msg.count)
        break
    if count is None:
        raise LinkTimeout(f"{_name(mission_type)} download: no MISSION_COUNT after {timing.retries + 1} requests")

    items: list[MissionItem] = []
    for seq in range(count):
        for _ in range(timing.retries + 1):
            conn.mav.mission_request_int_send(conn.target_system, conn.target_component, seq, mission_type)
            msg = _await_item(conn, seq, mission_type, timing.item_timeout_s)
            if msg is None:
                continue
            if msg.get_type() == "MISSION_ACK":
                raise MissionRejected(
                    f"the vehicle counted {count} items but refused item {seq}: "
                    + MissionRejected.from_ack(msg.type, mission_type, seq, None).args[0].split(": ", 1)[1],
                    mission_type, msg.type, seq)
            items.append(MissionItem.from_message(msg, mission_type))
            break
        else:
            raise LinkTimeout(f"{_name(mission_type)} download: item {seq} of {count} never arrived "
                              f"({timing.retries + 1} requests)")
    conn.mav.mission_ack_send(conn.target_system, conn.target_component, mavlink.MAV_MISSION_ACCEPTED, mission_type)
    return items


def _await_item(conn: Any, seq: int, mission_type: int, timeout_s: float) -> Any:
    """The item ``seq`` (or an error ACK); stale items with another seq are skipped."""
    deadline = time.monotonic() + timeout_s
    while (remaining := deadline - time.monotonic()) > 0:
        msg = _recv(conn, (*_ITEMS, "MISSION_ACK"), mission_type, remaining)
        if msg is None:
            return None
        if msg.get_type() == "MISSION_ACK":
            if msg.type == mavlink.MAV_MISSION_ACCEPTED:
                continue
            return msg
        if int(msg.seq) == seq:
            return msg
    return None


def clear_mission(conn: Any, mission_type: int = MISSION, *, timing: Timing = DEFAULT_TIMING) -> None:
    """Remove every item of ``mission_type`` from the vehicle (an empty upload)."""
    upload_mission(conn, [], mission_type, timing=timing)


def upload_all(conn: Any, mission: Mission, *, with_params: bool = True, verify: bool = False,
               timing: Timing = DEFAULT_TIMING) -> None:
    """Upload mission, fence and rally of ``mission``, then the vehicle parameters it needs.

    The fence and rally lists are always sent, empty or not, so nothing stale stays on the
    vehicle. ``mission.params`` (FENCE_ENABLE etc.) are set last, once the fence they refer
    to is stored; ``with_params=False`` skips them. With ``verify`` each list is downloaded
    again and compared item by item with :func:`stored_as_sent` (raising :class:`LinkError`
    naming the first difference).
    """
    from .params import set_params

    for mission_type in (MISSION, FENCE, RALLY):
        items = mission.of_type(mission_type)
        upload_mission(conn, items, mission_type, timing=timing)
        if verify:
            _verify(items, download_mission(conn, mission_type, timing=timing), mission_type)
    if with_params and mission.params:
        set_params(conn, mission.params, timing=timing)


def stored_as_sent(sent: MissionItem, back: MissionItem) -> bool:
    """True if ``back`` (downloaded) is what ArduPilot stores for ``sent`` (uploaded).

    ArduPilot keeps the command, the position (1e-7 degrees; altitude in cm, rally altitude
    in whole metres) and its altitude reference, and for fence items param1; other
    parameters it may drop or normalise, so they are not compared.
    """
    if sent.command != back.command:
        return False
    if sent.mission_type == FENCE and not math.isclose(sent.param1, back.param1, rel_tol=1e-6, abs_tol=1e-3):
        return False
    if not has_location(sent.command):
        return True
    if (round(sent.x * 1e7), round(sent.y * 1e7)) != (round(back.x * 1e7), round(back.y * 1e7)):
        return False
    if sent.mission_type == FENCE:
        return True
    tolerance = 1.0 if sent.mission_type == RALLY else 0.01
    relative = mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT, mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
    return abs(sent.z - back.z) <= tolerance and (sent.frame in relative) == (back.frame in relative)


def _verify(sent: Sequence[MissionItem], back: Sequence[MissionItem], mission_type: int) -> None:
    if len(back) != len(sent):
        raise LinkError(f"{_name(mission_type)} read back from the vehicle has {len(back)} items, not {len(sent)}")
    first = 1 if mission_type == MISSION else 0  # the vehicle puts its own home at seq 0
    for seq in range(first, len(sent)):
        if not stored_as_sent(replace(sent[seq], mission_type=mission_type), back[seq]):
            raise LinkError(f"{_name(mission_type)} item {seq} read back as {back[seq].describe()}, "
                            f"uploaded as {sent[seq].describe()}")


def download_all(conn: Any, *, timing: Timing = DEFAULT_TIMING) -> Mission:
    """Download mission, fence and rally into a :class:`Mission` (no parameters, no metadata)."""
    return Mission(
        items=tuple(download_mission(conn, MISSION, timing=timing)),
        fence=tuple(download_mission(conn, FENCE, timing=timing)),
        rally=tuple(download_mission(conn, RALLY, timing=timing)),
    )
