"""Resident memory and CPU time of the LRS server processes during a benchmark, from /proc (Linux).

Given process ids (for example the gunicorn master), their descendants are included and
found again at each sample, so restarted workers are still watched. Without ids, the
processes that listen on the benchmarked TCP port of this machine are found through
/proc/net/tcp and the sockets in /proc/<pid>/fd.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

_PROC = Path("/proc")
_LISTEN = "0A"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def rss_bytes(pid: int) -> int | None:
    """VmRSS of a process, or None when it is gone or unreadable."""
    try:
        for line in (_PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time a process has used since it started, or None when it is gone."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # Fields after the parenthesised command name: state is the first, utime the 12th, stime the 13th.
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in _PROC.iterdir() if entry.name.isdigit()]


def _parent_of(pid: int) -> int | None:
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name in parentheses may contain spaces; fields after it are plain.
    return int(stat[stat.rindex(")") + 2:].split()[1])


def with_descendants(roots: set[int]) -> set[int]:
    """``roots`` and every process below them."""
    children: dict[int, list[int]] = {}
    for pid in _all_pids():
        parent = _parent_of(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found, queue = set(), list(roots)
    while queue:
        pid = queue.pop()
        if pid not in found:
            found.add(pid)
            queue.extend(children.get(pid, ()))
    return found


def listening_pids(port: int) -> set[int]:
    """Processes of this machine holding a socket that listens on TCP ``port``."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (_PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    return {pid for pid in _all_pids() if _socket_links(pid) & inodes} if inodes else set()


def _socket_links(pid: int) -> set[str]:
    """What the file descriptors of ``pid`` point at; fds closing meanwhile are skipped."""
    links = set()
    try:
        entries = list((_PROC / str(pid) / "fd").iterdir())
    except OSError:  # another user's process, or gone
        return links
    for entry in entries:
        try:
            links.add(os.readlink(entry))
        except OSError:
            continue
    return links


class RssSampler:
    """Samples the RSS of the watched processes every ``interval`` seconds in a thread."""

    def __init__(self, pids: set[int] | None = None, port: int | None = None, interval: float = 0.5) -> None:
        self.roots = set(pids or ())
        if not self.roots and port is not None:
            self.roots = listening_pids(port)
        self.interval = interval
        self.max_by_pid: dict[int, int] = {}
        self.max_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> "RssSampler":
        self.sample()
        self._thread.start()
        return self

    def sample(self) -> None:
        total = 0
        for pid in with_descendants(self.roots):
            size = rss_bytes(pid)
            if size is not None:
                total += size
                self.max_by_pid[pid] = max(self.max_by_pid.get(pid, 0), size)
        self.max_total = max(self.max_total, total)

    def cpu_by_pid(self) -> dict[int, float]:
        """CPU seconds used so far by each watched process (descendants found again)."""
        found = {pid: cpu_seconds(pid) for pid in with_descendants(self.roots)}
        return {pid: seconds for pid, seconds in found.items() if seconds is not None}

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> dict:
        """Stop sampling; the report: maximum RSS per process and of their sum, in MB."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.sample()
        return {
            "watched_pids": sorted(self.roots),
            "max_rss_mb_by_pid": {str(pid): round(size / 2**20, 1) for pid, size in sorted(self.max_by_pid.items())},
            "max_rss_mb_per_process": round(max(self.max_by_pid.values(), default=0) / 2**20, 1),
            "max_rss_mb_total": round(self.max_total / 2**20, 1),
        }
