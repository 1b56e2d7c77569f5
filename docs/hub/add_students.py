#!/usr/bin/env python3
"""Create (or remove) the students' accounts for the one-machine hub in jupyterhub_config.py.

    sudo python3 docs/hub/add_students.py students.txt --out /root/cart-passwords.csv
    sudo python3 docs/hub/add_students.py students.txt --remove        # after the course

students.txt holds one login name a line (lower-case letters, digits, - and _; "#" starts a comment).
Each student gets a system account in the group cart-students, a home only they can open (mode 0700),
no shell (they cannot log in by SSH), and a random password written to --out (mode 0600): hand each
student their line. Running it again adds the new names and leaves existing students alone. An
account that exists but is not in the course's group is never touched. Standard library only; run
as root on the hub machine.
"""

from __future__ import annotations

import argparse
import csv
import grp
import os
import pwd
import re
import secrets
import subprocess
import sys
from pathlib import Path

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I to misread


def read_names(path: Path) -> list[str]:
    """The login names in ``path``, checked; raises ValueError naming every bad line."""
    names, bad = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        if NAME.match(name):
            names.append(name)
        else:
            bad.append(f"line {number}: {name!r}")
    if bad:
        raise ValueError("not a valid login name (lower-case letter first, then letters, digits, - or _; "
                         "at most 31 characters): " + "; ".join(bad))
    if len(set(names)) != len(names):
        raise ValueError("a name appears twice in " + str(path))
    return names


def new_password() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(12))


def run(*command: str, stdin: str | None = None) -> None:
    result = subprocess.run(command, input=stdin, text=True, capture_output=True)
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")


def in_group(name: str, group: str) -> bool:
    members = grp.getgrnam(group).gr_mem
    return name in members


def ensure_group(group: str) -> None:
    try:
        grp.getgrnam(group)
    except KeyError:
        run("groupadd", group)


def add(names: list[str], group: str, home_base: Path) -> dict[str, str]:
    """Create the missing accounts; returns {name: password} for the new ones only."""
    ensure_group(group)
    home_base.mkdir(parents=True, exist_ok=True)
    created = {}
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            pass
        else:
            if not in_group(name, group):
                raise RuntimeError(f"an account {name!r} already exists and is not a student of this course "
                                   f"(not in group {group}); choose another name")
            continue
        run("useradd", "--create-home", "--base-dir", str(home_base), "--user-group", "--groups", group,
            "--shell", "/usr/sbin/nologin", "-K", "HOME_MODE=0700", name)
        home = Path(pwd.getpwnam(name).pw_dir)
        home.chmod(0o700)  # whatever HOME_MODE the machine's useradd honours
        password = new_password()
        run("chpasswd", stdin=f"{name}:{password}\n")
        created[name] = password
    return created


def remove(names: list[str], group: str) -> list[str]:
    """Delete the accounts (and homes) of ``names`` that are in the course's group."""
    removed = []
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        if not in_group(name, group):
            print(f"left alone: {name} (not in group {group})", file=sys.stderr)
            continue
        run("userdel", "--remove", name)
        removed.append(name)
    return removed


def write_passwords(path: Path, passwords: dict[str, str]) -> None:
    """name,password lines, readable by root only; appended when the file exists (a second run)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if handle.tell() == 0:
            writer.writerow(["login", "password"])
        writer.writerows(sorted(passwords.items()))
    path.chmod(0o600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", type=Path, help="a text file with one login name a line")
    parser.add_argument("--out", type=Path, help="where to write the new passwords (CSV, mode 0600)")
    parser.add_argument("--group", default="cart-students", help="the course's group (default: cart-students)")
    parser.add_argument("--instructor-group", default="cart-instructors",
                        help="the instructors' group, created if missing (default: cart-instructors); "
                             "make an instructor with: usermod -aG cart-instructors NAME")
    parser.add_argument("--home-base", type=Path, default=Path("/home"), help="where homes go (default: /home)")
    parser.add_argument("--remove", action="store_true", help="delete these students' accounts and homes")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("error: run this as root (sudo): it creates system accounts", file=sys.stderr)
        return 2
    try:
        names = read_names(args.names)
        if args.remove:
            print(f"removed {len(remove(names, args.group))} account(s)")
            return 0
        if args.out is None:
            print("error: say where the new passwords go with --out FILE (outside any git repository)",
                  file=sys.stderr)
            return 2
        ensure_group(args.instructor_group)  # the hub's admin group must exist, even empty
        created = add(names, args.group, args.home_base)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if created:
        write_passwords(args.out, created)
    print(f"created {len(created)} account(s), {len(names) - len(created)} already there; "
          f"passwords of the new ones in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
