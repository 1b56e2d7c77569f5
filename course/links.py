"""Launch links an instructor sends: nbgitpuller links for a JupyterHub."""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote, urlencode, urlsplit


def nbgitpuller_link(
    hub_url: str,
    repo: str,
    notebook: str = "00_start_here.ipynb",
    branch: str = "main",
    target: str | None = None,
    interface: str = "lab",
) -> str:
    """A link that clones (or updates) ``repo`` into each student's home and opens ``notebook``.

    ``target`` is the folder name in the student's home (default: the repository's name). Pulling
    again later merges new commits and keeps the student's own edits (nbgitpuller's merge rules).
    """
    parts = urlsplit(hub_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the hub URL must start with http:// or https://; got {hub_url!r}")
    if not repo.strip():
        raise ValueError("the repository URL or path is empty")
    if interface not in ("lab", "tree"):
        raise ValueError("interface must be 'lab' (JupyterLab) or 'tree' (Notebook 7)")
    if not notebook.endswith(".ipynb"):
        notebook += ".ipynb"
    folder = target or PurePosixPath(urlsplit(repo).path.rstrip("/")).name.removesuffix(".git") or "course"
    urlpath = f"{interface}/tree/{folder}/notebooks/{notebook}"
    query = urlencode({"repo": repo, "urlpath": urlpath, "branch": branch, "targetpath": folder}, quote_via=quote)
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"
