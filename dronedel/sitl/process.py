"""Start and always stop an ArduPilot SITL process.

Each process runs in its own temporary folder (SITL writes ``eeprom.bin`` and logs into
its working directory) and its own process group, on a free instance number ``N``: TCP
``5760+10N`` carries MAVLink. It is stopped by the context manager, at interpreter exit,
on SIGINT/SIGTERM, and (Linux) by the kernel if this process dies.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..config import Site, Wind
from ..errors import InputError
from .errors import SitlCrashed, SitlError, SitlTimeout

__all__ = [
    "Home", "SitlOptions", "SitlProcess", "InstanceLock", "reserve_instance", "instance_ports",
    "default_param_file", "default_frame_file", "stop_all",
]

#: The delivery quad's SITL parameter file and frame model, relative to a source checkout's top folder.
PARAM_FILE = Path("sitl", "delivery_quad.parm")
FRAME_FILE = Path("sitl", "delivery_quad.json")
#: Highest instance number tried.
MAX_INSTANCE = 60


@dataclass(frozen=True)
class Home:
    """Where SITL starts: ``(lon, lat)`` degrees, ground ``alt_amsl_m`` metres AMSL, heading degrees true."""

    lon: float
    lat: float
    alt_amsl_m: float = 0.0
    heading_deg: float = 0.0

    @classmethod
    def from_site(cls, site: Site) -> "Home":
        """Home at the site: its position, ground elevation (AMSL) and heading."""
        return cls(site.lon, site.lat, site.elevation_m, site.heading_deg)

    def sitl_arg(self) -> str:
        """The ``--home`` argument: ``LAT,LON,ALT_AMSL,HEADING`` (SITL's order)."""
        return f"{self.lat:.8f},{self.lon:.8f},{self.alt_amsl_m:.2f},{self.heading_deg:.1f}"


def _sitl_file(relative: Path) -> Path:
    for top in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (top / relative).is_file():
            return top / relative
    raise InputError(f"no {relative} in the current folder or beside the package; give the file explicitly",
                     str(relative))


def default_param_file() -> Path:
    """``sitl/delivery_quad.parm`` of the current folder or of the source checkout holding this package."""
    return _sitl_file(PARAM_FILE)


def default_frame_file() -> Path:
    """``sitl/delivery_quad.json`` (SITL frame model) of the current folder or of the source checkout."""
    return _sitl_file(FRAME_FILE)


@dataclass(frozen=True)
class SitlOptions:
    """How to start SITL.

    ``param_files`` are loaded in order (later files win); ``params`` are set on top of
    them, as are the wind (``SIM_WIND_SPD`` m/s, ``SIM_WIND_DIR`` degrees the wind blows
    from) and ``turbulence_ms`` (``SIM_WIND_TURB``). ``instance=None`` picks a free one.
    ``frame_file`` is an optional JSON file of SITL frame constants (mass, drag reference
    speed and lean angle, ...) for ``model``, read by SITL as ``MODEL:FILE.json``.
    """

    binary: Path
    home: Home
    param_files: tuple[Path, ...] = ()
    speedup: float = 40.0
    wind: Wind = field(default_factory=Wind)
    turbulence_ms: float = 0.0
    params: Mapping[str, float] = field(default_factory=dict)
    instance: int | None = None
    model: str = "quad"
    frame_file: Path | None = None

    def all_params(self) -> dict[str, float]:
        """Parameters set on top of the parameter files."""
        out = {"SIM_WIND_SPD": self.wind.speed_ms, "SIM_WIND_DIR": self.wind.from_deg,
               "SIM_WIND_TURB": self.turbulence_ms}
        out.update(self.params)
        return out


def instance_ports(instance: int) -> tuple[list[int], list[int]]:
    """``(tcp, udp)`` ports SITL instance ``instance`` binds: SERIAL0-2 on TCP, RC input on UDP."""
    base = 10 * instance
    return [5760 + base, 5762 + base, 5763 + base], [5501 + base]


def _port_free(port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        # SITL binds with SO_REUSEADDR; do the same so sockets in TIME_WAIT do not count as busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _listening(port: int) -> bool:
    """True if a TCP socket listens on ``port`` (Linux ``/proc/net/tcp``; assumed true elsewhere)."""
    try:
        table = Path("/proc/net/tcp").read_text(encoding="ascii")
    except OSError:
        return True
    local = f":{port:04X}"
    rows = (line.split() for line in table.splitlines()[1:])
    return any(row[1].endswith(local) and row[3] == "0A" for row in rows if len(row) > 3)


@dataclass
class InstanceLock:
    """An instance number held by this process through a lock file until :meth:`release`.

    The lock files stay in place (removing one could let two processes lock different
    files of the same name); closing the file releases the lock.
    """

    number: int
    path: Path
    _handle: IO[bytes] | None = field(default=None, repr=False)

    def release(self) -> None:
        """Give the instance number back (the lock file stays for the next taker)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _lock_dir() -> Path:
    return Path(tempfile.gettempdir())


def reserve_instance(first: int = 0, lock_dir: Path | None = None) -> InstanceLock:
    """Lock the lowest instance number from ``first`` whose lock is free and whose ports are unused.

    The lock (``dronedel-sitl-N.lock`` in ``lock_dir``, the system temporary folder by
    default) keeps other dronedel processes off the number while it is held.
    """
    lock_dir = _lock_dir() if lock_dir is None else Path(lock_dir)
    for number in range(first, MAX_INSTANCE + 1):
        path = lock_dir / f"dronedel-sitl-{number}.lock"
        handle = path.open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        tcp, udp = instance_ports(number)
        if all(_port_free(p, socket.SOCK_STREAM) for p in tcp) and all(_port_free(p, socket.SOCK_DGRAM) for p in udp):
            return InstanceLock(number, path, handle)
        handle.close()
    raise SitlError(f"no free SITL instance between {first} and {MAX_INSTANCE} (ports 5760+10N in use)")


_LIVE: set["SitlProcess"] = set()
_LIVE_LOCK = threading.Lock()
_PREVIOUS_HANDLERS: dict[int, object] = {}
_ATEXIT_REGISTERED = False


def stop_all() -> None:
    """Stop every SITL process this interpreter started and has not stopped yet."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for proc in live:
        proc.stop()


def _on_signal(signum: int, frame: object) -> None:
    stop_all()
    previous = _PREVIOUS_HANDLERS.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_DFL:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def _install_cleanup() -> None:
    """Register the exit handler once, and the signal handlers once from the main thread."""
    global _ATEXIT_REGISTERED
    if not _ATEXIT_REGISTERED:
        atexit.register(stop_all)
        _ATEXIT_REGISTERED = True
    if _PREVIOUS_HANDLERS or threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        _PREVIOUS_HANDLERS[signum] = signal.getsignal(signum)
        signal.signal(signum, _on_signal)


#: Started in place of SITL on Linux, in an interpreter of its own: asks the kernel for SIGKILL when
#: the parent (pid ``argv[1]``) dies (prctl PR_SET_PDEATHSIG), quits if it already has, then becomes
#: SITL (``argv[2:]``, same pid). A ``preexec_fn`` would run this interpreter in the forked child,
#: which frees the other threads' objects there and deadlocks when one (a PROJ transformer, say)
#: needs a lock such a thread held at the fork.
_DIE_WITH_PARENT = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)\n"
    "if os.getppid() != int(sys.argv[1]): sys.exit(1)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def _die_with_parent(command: list[str]) -> list[str]:
    """``command`` started through :data:`_DIE_WITH_PARENT` on Linux, as it is elsewhere."""
    if sys.platform != "linux":
        return command
    return [sys.executable, "-I", "-S", "-c", _DIE_WITH_PARENT, str(os.getpid()), *command]


def _write_params(path: Path, params: Mapping[str, float]) -> None:
    path.write_text("".join(f"{name} {value:g}\n" for name, value in params.items()), encoding="utf-8")


class SitlProcess:
    """One running ``arducopter``; use as a context manager, or call :meth:`start` and :meth:`stop`.

    ``address`` is the pymavlink connection string of its first MAVLink port.
    """

    def __init__(self, options: SitlOptions) -> None:
        self.options = options
        self.instance: int | None = None
        self.workdir: Path | None = None
        self._lock: InstanceLock | None = None
        self._popen: subprocess.Popen[bytes] | None = None

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> "SitlProcess":
        """Start the process; connect to :attr:`address` (SITL waits for that connection to run)."""
        if self._popen is not None:
            raise SitlError("SITL process already started")
        opts = self.options
        if not opts.param_files:
            raise InputError("no parameter file given", "SitlOptions.param_files")
        for path in (*opts.param_files, *([opts.frame_file] if opts.frame_file else [])):
            if not Path(path).is_file():
                raise InputError("file not found", str(path))
        _install_cleanup()
        if opts.instance is None:
            self._lock = reserve_instance()
            self.instance = self._lock.number
        else:
            self.instance = opts.instance
        self.workdir = Path(tempfile.mkdtemp(prefix=f"dronedel-sitl-{self.instance}-"))
        overrides = self.workdir / "overrides.parm"
        _write_params(overrides, opts.all_params())
        defaults = ",".join(str(Path(p).resolve()) for p in (*opts.param_files, overrides))
        model = opts.model
        if opts.frame_file is not None:
            # SITL reads frame files relative to its working directory only.
            shutil.copyfile(opts.frame_file, self.workdir / "frame.json")
            model = f"{model}:frame.json"
        command = [
            str(opts.binary), "--model", model, "--home", opts.home.sitl_arg(),
            "--defaults", defaults, "-I", str(self.instance), "-w", "--speedup", f"{opts.speedup:g}",
        ]
        log = (self.workdir / "sitl.log").open("wb")
        try:
            if not os.access(opts.binary, os.X_OK):
                raise PermissionError("not an executable file")
            self._popen = subprocess.Popen(
                _die_with_parent(command), cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        except OSError as exc:
            self._cleanup_files()
            raise SitlError(f"cannot start {opts.binary}: {exc}") from None
        finally:
            log.close()
        with _LIVE_LOCK:
            _LIVE.add(self)
        return self

    def wait_listening(self, timeout_s: float = 30.0) -> None:
        """Wait until SITL listens on its MAVLink port (it does so within a second of starting)."""
        deadline = time.monotonic() + timeout_s
        while not _listening(self.port):
            self.check_alive()
            if self.panicked():
                raise SitlCrashed(None, self.output_tail())
            if time.monotonic() > deadline:
                raise SitlTimeout(f"SITL did not listen on TCP port {self.port} within {timeout_s:g} s")
            time.sleep(0.05)

    def stop(self, grace_s: float = 3.0) -> int | None:
        """Terminate the process group (SIGTERM, then SIGKILL after ``grace_s``); return the exit code."""
        popen, self._popen = self._popen, None
        code = None
        if popen is not None:
            if popen.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(popen.pid, signal.SIGTERM)
                try:
                    popen.wait(grace_s)
                except subprocess.TimeoutExpired:
                    with suppress(ProcessLookupError):
                        os.killpg(popen.pid, signal.SIGKILL)
                    popen.wait()
            # Children SITL may have started in its group.
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(popen.pid, signal.SIGKILL)
            code = popen.returncode
        with _LIVE_LOCK:
            _LIVE.discard(self)
        self._cleanup_files()
        return code

    def _cleanup_files(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "SitlProcess":
        return self.start() if self._popen is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state ------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The SITL process id, ``None`` before it starts."""
        return None if self._popen is None else self._popen.pid

    @property
    def port(self) -> int:
        """The TCP port of SITL's SERIAL0 (MAVLink), from the instance number."""
        if self.instance is None:
            raise SitlError("SITL process not started")
        return instance_ports(self.instance)[0][0]

    @property
    def address(self) -> str:
        """The pymavlink address of :attr:`port` on this machine."""
        return f"tcp:127.0.0.1:{self.port}"

    def alive(self) -> bool:
        """True while the SITL process runs."""
        return self._popen is not None and self._popen.poll() is None

    def check_alive(self) -> None:
        """Raise :class:`SitlCrashed` (with the end of SITL's output) if the process has exited."""
        if self._popen is None:
            raise SitlError("SITL process not running")
        code = self._popen.poll()
        if code is not None:
            raise SitlCrashed(code, self.output_tail())

    def panicked(self) -> bool:
        """True if SITL printed a PANIC (it then hangs instead of exiting)."""
        return "PANIC" in self.output_tail()

    def output_tail(self, lines: int = 15) -> str:
        """The last ``lines`` lines SITL printed."""
        if self.workdir is None or not (self.workdir / "sitl.log").is_file():
            return ""
        text = (self.workdir / "sitl.log").read_bytes()[-8192:].decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

