"""JupyterLab settings for the course: ``make lab`` runs ``jupyter lab --config=<this file>``.

Lessons open clean: without this, every lesson opens already marked as changed, and
closing it asks "Save your work?" though the learner changed nothing. The kernel tells
JupyterLab its ``language_info`` (Python's exact version among it), which JupyterLab
writes into the notebook's metadata; the committed lessons cannot carry it, since the
version is the learner's. So the server hands each Python notebook to JupyterLab with
the ``language_info`` its kernel (this same environment's ipykernel) will report.
"""

from __future__ import annotations

from typing import Any

from ipykernel.ipkernel import IPythonKernel
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from jupytext.async_contentsmanager import build_async_jupytext_contents_manager_class

c = get_config()  # type: ignore[name-defined]  # noqa: F821 (provided by traitlets)


class LessonsOpenClean(AsyncLargeFileManager):
    """Add the kernel's ``language_info`` to every python3 notebook as it is opened."""

    async def get(self, path: str, content: bool = True, **kwargs: Any) -> dict[str, Any]:
        model = await super().get(path, content=content, **kwargs)
        if content and model.get("type") == "notebook" and model.get("content"):
            metadata = model["content"]["metadata"]
            if metadata.get("kernelspec", {}).get("name") == "python3":
                metadata["language_info"] = dict(IPythonKernel.language_info)
        return model


# With jupytext's pairing (the lessons' .py twins) on top, as its server extension would.
c.ServerApp.contents_manager_class = build_async_jupytext_contents_manager_class(LessonsOpenClean)
