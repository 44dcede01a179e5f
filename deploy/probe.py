"""The container's health check: exit 0 when /healthz answers 200 on this machine.

Asks with a host name the site accepts (the first of ALLOWED_HOSTS), on the port
gunicorn listens on (GUNICORN_BIND or PORT). Standard library only.
"""

import os
import sys
import urllib.request

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
port = bind.rsplit(":", 1)[-1]
host = (os.environ.get("ALLOWED_HOSTS", "") or "localhost").split(",")[0].strip().lstrip(".")
request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as error:
    print(f"unhealthy: {error}", file=sys.stderr)
    sys.exit(1)
