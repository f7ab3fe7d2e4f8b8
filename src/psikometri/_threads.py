"""Thread control for loops of small dense linear algebra.

Bootstrap and jackknife loops, REML person blocks and factor fits run many
products and decompositions of matrices of a few dozen rows.  Threaded BLAS
gains nothing there and, when other threads (numba's, another worker's) want
the same cores, its synchronisation can make a loop several times slower.
"""

from __future__ import annotations

__all__ = ["numba_threads", "single_thread_blas", "single_threaded_blas"]


class single_thread_blas:
    """Run BLAS single-threaded inside the ``with`` block (``threadpoolctl``).

    Nested uses cost nothing: only the outermost context talks to the thread
    pools.  Without ``threadpoolctl`` the block runs unchanged.
    """

    _depth = 0

    _controller = None
    _modules_seen = -1

    @classmethod
    def _pools(cls):
        """A ThreadpoolController, made again only when new modules (hence maybe new BLAS libraries) were loaded:
        inspecting the process's libraries costs milliseconds, limiting through a known controller microseconds."""
        import sys

        if cls._controller is None or cls._modules_seen != len(sys.modules):
            from threadpoolctl import ThreadpoolController

            cls._controller = ThreadpoolController()
            cls._modules_seen = len(sys.modules)
        return cls._controller

    def __enter__(self):
        self._ctx = None
        single_thread_blas._depth += 1
        if single_thread_blas._depth > 1:
            return self
        try:
            self._ctx = self._pools().limit(limits=1, user_api="blas")
        except ImportError:  # pragma: no cover - declared dependency
            return self
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        single_thread_blas._depth -= 1
        if self._ctx is not None:
            self._ctx.__exit__(*exc)
        return False


def single_threaded_blas(fn):
    """Decorator: run ``fn`` inside :class:`single_thread_blas` (for functions with loops of small algebra)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with single_thread_blas():
            return fn(*args, **kwargs)

    return wrapper


class numba_threads:
    """Run numba's parallel kernels with ``n`` threads inside the ``with`` block (then restore the count).

    For loops that call a parallel kernel many times on little work each time.  Results do not change:
    the kernels draw their random numbers per item, never per thread.
    """

    def __init__(self, n: int):
        self.n = int(n)

    def __enter__(self):
        import numba

        self._old = numba.get_num_threads()
        numba.set_num_threads(max(1, min(self.n, self._old)))
        return self

    def __exit__(self, *exc):
        import numba

        numba.set_num_threads(self._old)
        return False
