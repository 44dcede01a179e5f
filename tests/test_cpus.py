"""gunicorn's worker count follows the CPUs the process may use, not the host's count."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from toolkit.cpus import available_cpus, quota_cpus

ROOT = Path(__file__).resolve().parent.parent


def run_pinned(code: str, cpu: int = 0, **env: str) -> str:
    """Run ``code`` in a fresh interpreter allowed to run on one CPU only (taskset)."""
    result = subprocess.run(
        ["taskset", "-c", str(cpu), sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


class AvailableCpusTests(SimpleTestCase):
    def test_affinity_bounds_the_count(self):
        """A process pinned to one CPU counts one, whatever the host has."""
        self.assertEqual(
            run_pinned("from toolkit.cpus import available_cpus; print(available_cpus())"), "1"
        )
        self.assertLessEqual(available_cpus(), len(os.sched_getaffinity(0)))

    def test_gunicorn_sizes_its_workers_from_the_affinity(self):
        """gunicorn.conf.py on one CPU: three workers (2 x 1 + 1); GUNICORN_WORKERS wins."""
        code = "import runpy; print(runpy.run_path('gunicorn.conf.py')['workers'])"
        self.assertEqual(run_pinned(code, DEBUG="1", GUNICORN_WORKERS=""), "3")
        self.assertEqual(run_pinned(code, DEBUG="1", GUNICORN_WORKERS="7"), "7")

    def test_quota(self):
        """A cgroup v2 quota ("150000 100000": one and a half CPUs) rounds up; "max" or an
        unreadable file means no quota."""
        directory = Path(self.enterContext(tempfile.TemporaryDirectory()))
        cpu_max = directory / "cpu.max"
        for text, expected in [
            ("150000 100000\n", 2),
            ("50000 100000\n", 1),
            ("400000 100000\n", 4),
            ("max 100000\n", None),
            ("nonsense\n", None),
        ]:
            with self.subTest(text=text):
                cpu_max.write_text(text)
                self.assertEqual(quota_cpus(cpu_max), expected)
        self.assertIsNone(quota_cpus(directory / "missing"))
