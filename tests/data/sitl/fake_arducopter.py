"""A stand-in for ArduPilot's ``arducopter`` SITL binary in unit tests.

It takes SITL's command line, records it with its working directory in ``args.json``,
listens for MAVLink on TCP 5760 + 10 * instance like SITL, and once connected streams
HEARTBEAT, SYS_STATUS (healthy), HOME_POSITION and GLOBAL_POSITION_INT with simulated time
running ``--speedup`` times faster than the wall clock. It answers COMMAND_LONG: arming,
mode changes and anything else are accepted. The environment variable ``FAKE_ARDUCOPTER``
(comma-separated) makes it misbehave: ``crash_after=S`` exits with code 3 after S wall
seconds connected, ``crash_on=TYPE`` on receiving a message of that type, ``silent_after=S`` stops sending, ``refuse_arm=TEXT`` refuses to arm with
"PreArm: TEXT", ``panic`` prints a PANIC and hangs as SITL does.
"""

import argparse
import json
import os
import socket
import sys
import time

os.environ["MAVLINK20"] = "1"
from pymavlink.dialects.v20 import ardupilotmega as mavlink  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    parser.add_argument("--home")
    parser.add_argument("--defaults")
    parser.add_argument("-I", dest="instance", type=int, default=0)
    parser.add_argument("-w", dest="wipe", action="store_true")
    parser.add_argument("--speedup", type=float, default=1.0)
    args = parser.parse_args()
    with open("args.json", "w") as handle:
        json.dump({**vars(args), "cwd": os.getcwd(), "pid": os.getpid()}, handle)
    behaviour = dict(part.partition("=")[::2] for part in os.environ.get("FAKE_ARDUCOPTER", "").split(",") if part)
    if "panic" in behaviour:
        print("PANIC: fake panic", flush=True)
        time.sleep(3600)

    port = 5760 + 10 * args.instance
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(1)
    print(f"SERIAL0 on TCP port {port}", flush=True)
    conn, _ = server.accept()
    conn.setblocking(False)

    class Out:
        @staticmethod
        def write(data: bytes) -> None:
            conn.sendall(data)

    mav = mavlink.MAVLink(Out, srcSystem=1, srcComponent=1)
    lat, lon, alt = (float(v) for v in args.home.split(",")[:3])
    crash_after = float(behaviour.get("crash_after", "inf"))
    silent_after = float(behaviour.get("silent_after", "inf"))
    start = time.monotonic()
    armed, mode, next_send = False, 0, 0.0
    health = mavlink.MAV_SYS_STATUS_PREARM_CHECK | mavlink.MAV_SYS_STATUS_SENSOR_GPS | mavlink.MAV_SYS_STATUS_AHRS
    while True:
        wall = time.monotonic() - start
        if wall > crash_after:
            return 3
        boot_ms = int(wall * args.speedup * 1000)
        if wall >= next_send and wall < silent_after:
            base = mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED | (mavlink.MAV_MODE_FLAG_SAFETY_ARMED if armed else 0)
            mav.heartbeat_send(mavlink.MAV_TYPE_QUADROTOR, mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA, base, mode,
                               mavlink.MAV_STATE_ACTIVE if armed else mavlink.MAV_STATE_STANDBY)
            mav.sys_status_send(health, health, health, 0, 12600, 0, 100, 0, 0, 0, 0, 0, 0)
            mav.home_position_send(int(lat * 1e7), int(lon * 1e7), int(alt * 1000), 0, 0, 0, [1, 0, 0, 0], 0, 0, 0)
            mav.global_position_int_send(boot_ms, int(lat * 1e7), int(lon * 1e7), int(alt * 1000), 0, 0, 0, 0, 0)
            next_send = wall + 0.05
        try:
            data = conn.recv(4096)
            if not data:
                return 0  # the client went away
        except BlockingIOError:
            data = b""
        for msg in mav.parse_buffer(data) or []:
            if msg.get_type() == behaviour.get("crash_on"):
                return 3
            if msg.get_type() != "COMMAND_LONG":
                continue
            result = mavlink.MAV_RESULT_ACCEPTED
            if msg.command == mavlink.MAV_CMD_COMPONENT_ARM_DISARM:
                if "refuse_arm" in behaviour and msg.param1 == 1:
                    mav.statustext_send(mavlink.MAV_SEVERITY_CRITICAL, f"PreArm: {behaviour['refuse_arm']}".encode())
                    result = mavlink.MAV_RESULT_FAILED
                else:
                    armed = msg.param1 == 1
            elif msg.command == mavlink.MAV_CMD_DO_SET_MODE:
                mode = int(msg.param2)
            mav.command_ack_send(msg.command, result)
        time.sleep(0.005)


if __name__ == "__main__":
    sys.exit(main())
