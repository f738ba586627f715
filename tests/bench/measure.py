"""What the benchmarks measure: wall time of a step, and the peak of Python memory (tracemalloc) in a
separate run of it, so that tracing does not slow the timed one."""

import time
import tracemalloc


def timed(fn):
    """(fn's result, seconds it took)."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def peak(fn) -> int:
    """The peak of Python memory, in bytes, while fn ran."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
