#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster.

Usage: tools/with_postgres.py [--database NAME] -- COMMAND [ARG...]

1. Find ``initdb`` and ``pg_ctl`` on PATH or under ``/usr/lib/postgresql/*/bin``.
2. Create a temporary directory holding the data directory and a private socket
   directory, owned by the user that runs the server (PostgreSQL refuses to run
   as root, so as root the server runs as ``postgres``, or ``nobody``).
3. Initialise the cluster with trust authentication, start it on a free port,
   listening only on the private unix socket, and create the database.
4. Run COMMAND with ``DATABASE_URL`` pointing at that database.
5. Always stop the cluster and delete the directory; exit with COMMAND's code.

Only the standard library is used, so any Python 3 can run this tool.
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

SUPERUSER = "postgres"
# Durability is pointless for a cluster that lives for one test run.
SERVER_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
}


class Terminated(Exception):
    """Raised by the signal handler so that the cluster is always cleaned up."""


def find_bin_dir() -> Path:
    """Return the directory holding initdb and pg_ctl (newest version wins)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent

    def version(path: str) -> tuple[int, ...]:
        match = re.search(r"/postgresql/([\d.]+)/", path)
        return tuple(int(p) for p in match.group(1).split(".")) if match else (0,)

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version, reverse=True)
    for initdb in candidates:
        bin_dir = Path(initdb).parent
        if (bin_dir / "pg_ctl").exists():
            return bin_dir
    sys.exit(
        "with_postgres: initdb/pg_ctl not found on PATH or under /usr/lib/postgresql/*/bin; "
        "install Debian's 'postgresql' package (make test-postgres does this)."
    )


def server_user() -> str | None:
    """Return the user to run the server as, or None to run it as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    sys.exit("with_postgres: running as root but neither 'postgres' nor 'nobody' exists.")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_user(user: str | None, argv: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else argv


def run_quiet(argv: list[str], what: str) -> None:
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout)
        raise RuntimeError(f"{what} failed with exit code {result.returncode}")


def on_signal(signum: int, frame: object) -> None:
    raise Terminated(signum)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="aanwezig", help="database to create")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")

    bin_dir = find_bin_dir()
    user = server_user()
    port = free_port()
    # A short path: unix socket paths are limited to about 100 bytes.
    root = Path(
        tempfile.mkdtemp(prefix="aanwezig-pg-", dir="/tmp" if os.path.isdir("/tmp") else None)
    )
    data_dir, socket_dir, log_file = root / "data", root / "socket", root / "server.log"
    socket_dir.mkdir()
    if user:
        entry = pwd.getpwnam(user)
        for path in (root, socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    started = False
    try:
        run_quiet(
            as_user(
                user,
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data_dir),
                    "--auth=trust",
                    f"--username={SUPERUSER}",
                    "--encoding=UTF8",
                    "--no-locale",
                    "--no-sync",
                ],
            ),
            "initdb",
        )
        options = " ".join(
            [f"-k {socket_dir}", f"-p {port}"]
            + [f"-c {key}={value}" for key, value in SERVER_SETTINGS.items()]
        )
        started = True
        run_quiet(
            as_user(
                user,
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data_dir),
                    "-l",
                    str(log_file),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
            ),
            "pg_ctl start",
        )
        createdb = bin_dir / "createdb"
        run_quiet(
            [
                str(createdb) if createdb.exists() else "createdb",
                "-h",
                str(socket_dir),
                "-p",
                str(port),
                "-U",
                SUPERUSER,
                args.database,
            ],
            "createdb",
        )
        env = dict(os.environ)
        env["DATABASE_URL"] = (
            f"postgres://{SUPERUSER}@/{args.database}?host={socket_dir}&port={port}"
        )
        print(
            f"with_postgres: PostgreSQL ({bin_dir.parent.name}) on {socket_dir}, port {port}",
            file=sys.stderr,
            flush=True,
        )
        child = subprocess.Popen(command, env=env)
        try:
            return child.wait()
        except (KeyboardInterrupt, Terminated):
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            raise
    except RuntimeError as exc:
        print(f"with_postgres: {exc}", file=sys.stderr)
        if log_file.exists():
            sys.stderr.write(log_file.read_text(errors="replace"))
        return 1
    except (KeyboardInterrupt, Terminated):
        return 130
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if started:
            subprocess.run(
                as_user(
                    user,
                    [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"],
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # A child killed by a signal reports -N; shells report that as 128+N.
    sys.exit(128 - code if code < 0 else code)
