"""How many CPUs this process may really use, for sizing gunicorn (``gunicorn.conf.py``).

``os.cpu_count()`` counts the host's CPUs, not what a container or a CPU set allows. The
CPUs the process may run on (``os.sched_getaffinity``: ``taskset``, ``docker --cpuset-cpus``)
bound it, and so does a CPU quota (cgroup v2 ``cpu.max``: ``docker --cpus``).
"""

import math
import os
from pathlib import Path

CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def quota_cpus(cpu_max: Path = CGROUP_CPU_MAX) -> int | None:
    """The CPUs a cgroup v2 quota allows, rounded up; None without a quota."""
    try:
        quota, period = cpu_max.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    return max(1, math.ceil(int(quota) / int(period)))


def available_cpus() -> int:
    """CPUs this process may use: its affinity, capped by any quota; at least 1."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        count = os.cpu_count() or 1
    quota = quota_cpus()
    return max(1, min(count, quota) if quota else count)
