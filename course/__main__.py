"""``python -m course``: the instructors' and authors' command line (see ``course/cli``)."""

from course.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
