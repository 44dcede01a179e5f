"""Set up Django for the benchmark's helper scripts, run from the repository root's env."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolkit.settings")
# As the figures in bench/README.md were measured: DEBUG on unless the run says otherwise.
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()
