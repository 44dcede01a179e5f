"""The benchmarks' PostgreSQL databases: made and dropped through the server's own
``postgres`` database, with the role named in the URL (it needs CREATEDB)."""

import psycopg


def database(url: str, *, create: bool, drop: bool) -> None:
    """Create (or drop) the database named in ``url``, connecting to 'postgres'."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = info.pop("dbname")
    with psycopg.connect(
        psycopg.conninfo.make_conninfo(**info, dbname="postgres"), autocommit=True
    ) as db:
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if drop and exists:
            db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if create and not exists:
            db.execute(f'CREATE DATABASE "{name}"')
