"""Cache hits without Django: the same pages through an nginx front cache and straight from
gunicorn's page cache, each against the stylesheet through the same server, in one run.

    python bench/front_cache.py --database-url postgres://... [--s-maxage 5]

Uses a database that ``bench/load.py --keep-db`` populated (the demo and synthetic
summaries). gunicorn runs with the page cache (``locmem://``) and ``PUBLIC_S_MAXAGE``
seconds of ``s-maxage``; nginx (Debian's, installed if missing) sits in front with a
``proxy_cache`` that keeps what ``Cache-Control`` allows, never for a request with a
session cookie, revalidating with the ETag when a copy is older than ``s-maxage``.

Prints requests a second, p50 and p99 for each page and the stylesheet, straight and
through nginx, the ratio of each to its own server's stylesheet, and how many responses
nginx answered from its cache (``X-Cache-Status``). The price of a front cache is the one
``docs/operations.md`` states: after a publication or a withdrawal, a reader may be
served the old page for up to ``s-maxage`` (plus ``stale-while-revalidate``) seconds.

This is a benchmark, not a test: it prints figures and takes minutes.
"""

import argparse
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from load import (
    DEMO,
    load,
    manage,
    say,
    server_arguments,
    server_env,
    start_gunicorn,
    stop,
    wrk,
)

NGINX = """\
worker_processes {workers};
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    proxy_cache_path {dir}/cache levels=1:2 keys_zone=pages:10m max_size=256m inactive=10m
                     use_temp_path=off;
    upstream toolkit {{ server 127.0.0.1:{upstream}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://toolkit;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_cache pages;
            # Staff (a session cookie) always reach Django, and are never cached.
            proxy_cache_bypass $cookie_sessionid;
            proxy_no_cache $cookie_sessionid;
            # One request refreshes an expired copy, with If-None-Match; the rest wait.
            proxy_cache_lock on;
            proxy_cache_revalidate on;
            proxy_cache_use_stale updating error timeout;
            proxy_cache_background_update on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    server_arguments(
        parser,
        database_help="a database bench/load.py --keep-db populated",
        port=8505,
        workers=2,
        threads=1,
        duration=10,
    )
    parser.add_argument("--front-port", type=int, default=8506, help="nginx's port")
    parser.add_argument("--s-maxage", type=int, default=5, help="PUBLIC_S_MAXAGE, seconds")
    parser.add_argument("--nginx-workers", type=int, default=1)
    return parser.parse_args()


def cache_status(url: str) -> str:
    with urllib.request.urlopen(url) as response:
        response.read()
        return response.headers.get("X-Cache-Status", "")


def main():
    args = parse_args()
    for tool, package in (("wrk", "wrk"), ("nginx", "nginx-light")):
        if not shutil.which(tool):
            say(f"installing {package} (Debian package)")
            subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True)
    workdir = Path(tempfile.mkdtemp(prefix="toolkit-front-"))
    workdir.chmod(0o755)  # nginx's workers (not root) keep their cache in it
    env = server_env(
        args.database_url,
        workdir,
        cache_url="locmem://",
        PUBLIC_S_MAXAGE=str(args.s_maxage),
    )
    server = front = None
    try:
        manage(env, "collectstatic", "--noinput", "-v0")
        log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115  (open for the whole run)
        server, base = start_gunicorn(env, args, log)
        config = workdir / "nginx.conf"
        config.write_text(
            NGINX.format(
                dir=workdir, upstream=args.port, port=args.front_port, workers=args.nginx_workers
            )
        )
        front = subprocess.Popen(
            ["nginx", "-c", str(config), "-p", str(workdir)], start_new_session=True
        )
        front_base = f"http://127.0.0.1:{args.front_port}"
        time.sleep(1)
        with urllib.request.urlopen(base + "/") as response:
            css = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', response.read().decode())
        pages = {
            "home": "/",
            "list": "/toolkit/",
            "search": "/toolkit/?q=reoffending",
            "summary": DEMO,
            "data.json": f"{DEMO}data.json",
            "api detail": "/api/v1/summaries/psychosocial-treatment-sex-offenders/",
            "static css": css.group(1),
        }
        say(f"gunicorn {args.workers}x{args.threads} on {base}, nginx in front on {front_base}")
        results = {}
        for label, origin in (("django", base), ("nginx", front_base)):
            for name, path in pages.items():
                for _ in range(8):  # warm workers and caches
                    with urllib.request.urlopen(origin + path) as response:
                        response.read()
                figures = wrk(origin + path, args)
                statuses = []
                if label == "nginx":
                    statuses = [cache_status(origin + path) for _ in range(3)]
                results[(label, name)] = (figures, statuses)
                say(f"{label} {name}: {figures['rps']:.0f} req/s; load {load()}")
        print(
            f"\nFront cache: gunicorn {args.workers}x{args.threads} with the page cache "
            f"(locmem://), nginx in front (s-maxage {args.s_maxage} s), "
            f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s; load {load()}"
        )
        header = f"{'page':<12}{'server':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        print(f"{header}{'non-2xx/3xx':>13}{'vs static':>11}  nginx cache")
        print("-" * 84)
        for label in ("django", "nginx"):
            ceiling = results[(label, "static css")][0]["rps"]
            for name in pages:
                figures, statuses = results[(label, name)]
                print(
                    f"{name:<12}{label:>8}{figures['rps']:>9.0f}{figures['p50']:>9.1f}"
                    f"{figures['p99']:>9.1f}{figures['not_ok']:>13}"
                    f"{figures['rps'] / ceiling:>11.2f}  {' '.join(statuses)}"
                )
    finally:
        if front and front.poll() is None:
            front.terminate()
            front.wait(timeout=30)
        stop(server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
