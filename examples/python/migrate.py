#!/usr/bin/env python3
"""migrate.py -- an application that brings its database up to date when it
opens it, with Python's standard sqlite3 module and the sqlitch extension.

    migrate.py <database> <project> [<extension>]

The project is a Sqitch project directory shipped with the application;
<extension> is the path of sqlitch.so ($SQLITCH_EXT, else ./sqlitch.so).
open_database() loads the extension into the new connection, points it at
the project and deploys whatever is pending before handing the connection
over; a failed migration raises sqlite3.OperationalError carrying the
message `sqlitch deploy` would print, and the database stays as it was
before the failed change.

Two things matter with the sqlite3 module: sqlite3.connect() must be
allowed to load extensions (enable_load_extension, which needs a Python
built with extension loading, as Debian's is), and sqlitch_deploy() must
not run inside a transaction. The module opens transactions implicitly
only before INSERT/UPDATE/DELETE, so deploy first, or commit before.
"""
import os
import sqlite3
import sys


def open_database(path, project, extension):
    """Open `path`, migrate it with the project's plan, return the connection."""
    con = sqlite3.connect(path)
    con.enable_load_extension(True)
    try:
        con.load_extension(extension)
    finally:
        con.enable_load_extension(False)
    con.execute("SELECT sqlitch_project(?)", (project,))
    (report,) = con.execute("SELECT sqlitch_deploy()").fetchone()
    if report:
        print(report)
    return con


def main(argv):
    if len(argv) not in (3, 4):
        print(f"usage: {argv[0]} <database> <project> [<extension>]", file=sys.stderr)
        return 2
    extension = argv[3] if len(argv) == 4 else os.environ.get("SQLITCH_EXT", "./sqlitch.so")
    try:
        con = open_database(argv[1], argv[2], extension)
    except sqlite3.Error as e:
        print(e, file=sys.stderr)
        return 1
    # The application's own work: where each change of the plan stands.
    for name, status in con.execute(
        "SELECT name, status FROM sqlitch_status ORDER BY position"
    ):
        print(f"{name:<12} {status}")
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
