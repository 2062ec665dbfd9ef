"""Run the miniature's tiny matrix products on one BLAS thread.

The miniature multiplies matrices of a few thousand rows by a few dozen columns,
thousands of times. A multi-threaded BLAS (OpenBLAS, as shipped in numpy's wheels)
spends far longer waking and synchronising its threads than computing such products,
especially on a busy 2-core machine: measured here, one training step ran 25x faster
on one thread. :func:`single_blas_thread` limits OpenBLAS to one thread inside a
``with`` block and restores the previous setting afterwards. It is a no-op where no
OpenBLAS is found (MKL, Accelerate, other platforms): results are identical either
way, only speed differs.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
from collections.abc import Iterator

__all__ = ["single_blas_thread"]

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)
_GETTERS = (
    "scipy_openblas_get_num_threads64_",
    "openblas_get_num_threads64_",
    "openblas_get_num_threads",
)


@functools.lru_cache(maxsize=1)
def _openblas() -> tuple[object, object] | None:
    """(getter, setter) of the OpenBLAS loaded into this process, if any."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in zip(_GETTERS, _SETTERS, strict=True):
            getter = getattr(library, get_name, None)
            setter = getattr(library, set_name, None)
            if getter is not None and setter is not None:
                getter.restype = ctypes.c_int
                setter.argtypes = [ctypes.c_int]
                return getter, setter
    return None


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Context manager: OpenBLAS uses one thread inside the block (no-op without OpenBLAS)."""
    import numpy  # noqa: F401  (make sure numpy's BLAS is loaded before looking for it)

    handles = _openblas()
    if handles is None:
        yield
        return
    getter, setter = handles
    before = int(getter())  # type: ignore[operator]
    setter(1)  # type: ignore[operator]
    try:
        yield
    finally:
        setter(before)  # type: ignore[operator]
