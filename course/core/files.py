"""Writing a file so that a failure never leaves half of it: one helper for reports and the figure cache."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes | str) -> None:
    """Temp file beside the target, then rename: a failure leaves the previous file as it was.

    Text is written as UTF-8 exactly as given (no newline translation); characters that cannot be
    encoded, such as lone surrogates from a damaged export, are written as backslash escapes.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", errors="backslashreplace")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
