"""Running calls at the same moment, for the race tests on PostgreSQL."""

import threading
from collections.abc import Callable

from django.db import connection


def in_parallel(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released at the same moment; each result or exception."""
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            start.wait()
            outcomes[index] = call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
