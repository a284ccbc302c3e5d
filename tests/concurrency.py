"""Running calls at the same moment, for the PostgreSQL concurrency tests (no lost update or over-booking)."""

import threading

from django.db import connection


def parallel(calls) -> list:
    """Run the calls at the same moment, one thread (and one connection) each; returns their results, an
    exception standing for a call that raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # reported by the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
