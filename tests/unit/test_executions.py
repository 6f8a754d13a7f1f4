"""The local stack runs a few API requests at a time and serves the rest in the order they came."""

from __future__ import annotations

import threading
import time

import pytest

from local.server import Executions


def until(condition) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "the request did not arrive"
        time.sleep(0.001)


@pytest.mark.parametrize("limit", [1, 2])
def test_no_more_than_the_limit_run_and_the_waiting_go_in_arrival_order(limit: int) -> None:
    executions = Executions(limit)
    running, most, started = [0], [0], []
    lock = threading.Lock()
    release = threading.Event()

    def request(n: int) -> None:
        with executions.turn():
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
                started.append(n)
            release.wait(5)
            time.sleep(0.01)
            with lock:
                running[0] -= 1

    threads = []
    for n in range(8):
        thread = threading.Thread(target=request, args=(n,))
        thread.start()
        threads.append(thread)
        until(lambda: len(started) == min(n + 1, limit) and executions.waiting == max(n + 1 - limit, 0))  # in line
    assert sorted(started) == list(range(limit))  # the rest wait
    release.set()
    for thread in threads:
        thread.join(5)
    assert most[0] == limit
    # Each was let in no later than the requests that came after it had a place to run.
    assert all(started.index(n) < n + limit for n in range(8))
    if limit == 1:
        assert started == list(range(8))


def test_a_failed_request_hands_its_place_on() -> None:
    executions = Executions(1)
    with pytest.raises(RuntimeError), executions.turn():
        raise RuntimeError("the app failed")
    done = threading.Event()
    threading.Thread(target=lambda: (executions.turn().__enter__(), done.set())).start()
    assert done.wait(2)


def test_at_least_one_request_runs() -> None:
    with pytest.raises(ValueError):
        Executions(0)
