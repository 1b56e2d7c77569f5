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


def binder_link(github_repo: str, notebook: str = "00_start_here.ipynb", branch: str = "main") -> str:
    """mybinder.org builds ``environment.yml`` at the root and opens the notebook in JupyterLab."""
    owner_repo = _owner_repo(github_repo)
    path = quote(f"lab/tree/notebooks/{notebook}", safe="")
    return f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath={path}"


def nbviewer_link(github_repo: str, notebook: str, branch: str = "main") -> str:
    """The read-only view: stored outputs, every figure and question with its answer to reveal."""
    return f"https://nbviewer.org/github/{_owner_repo(github_repo)}/blob/{branch}/notebooks/{notebook}"


def _owner_repo(github_repo: str) -> str:
    text = github_repo.strip().removeprefix("https://").removeprefix("github.com/").removesuffix(".git").strip("/")
    parts = text.split("/")
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"give the GitHub repository as OWNER/NAME; got {github_repo!r}")
    return text


def links_table(github_repo: str, notebooks: list[str], hub_url: str | None = None) -> str:
    """A Markdown table of every launch link, for a README or a course page."""
    rows = ["| Notebook | Binder | nbviewer |" + (" JupyterHub |" if hub_url else ""),
            "|---|---|---|" + ("---|" if hub_url else "")]
    for nb in notebooks:
        row = f"| {nb} | [launch]({binder_link(github_repo, nb)}) | [view]({nbviewer_link(github_repo, nb)}) |"
        if hub_url:
            row += f" [open]({nbgitpuller_link(hub_url, f'https://github.com/{_owner_repo(github_repo)}', nb)}) |"
        rows.append(row)
    return "\n".join(rows)
