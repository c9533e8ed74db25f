"""The reader's connection pool without a server: slots, kept-alive connections, the bound."""

from __future__ import annotations

import threading

import pytest

from cryptonic.store.endpoints import ReaderEndpoint
from cryptonic.store.s3_connections import ConnectionPool

TARGET = ReaderEndpoint(False, "127.0.0.1:9", "/bucket")


class Socket:
    """Stands for a connected socket: a connection with one counts as kept alive."""

    def close(self) -> None:
        pass


def test_a_caller_beyond_the_bound_waits_then_gives_up() -> None:
    pool = ConnectionPool(TARGET, size=2)
    busy = r"all 2 connections to S3 stayed busy for 0\.01 s"
    with pool.slot(None), pool.slot(1.0), pytest.raises(TimeoutError, match=busy), pool.slot(0.01):
        pass
    with pool.slot(0.01), pool.slot(0.01):  # released: both free again
        pass


def test_a_freed_slot_lets_a_waiting_caller_in() -> None:
    pool = ConnectionPool(TARGET, size=1)
    got_in = threading.Event()

    def wait_for_a_slot() -> None:
        with pool.slot(30.0):
            got_in.set()

    with pool.slot(None):
        waiter = threading.Thread(target=wait_for_a_slot)
        waiter.start()
    waiter.join(timeout=30.0)
    assert got_in.is_set()


def test_kept_alive_connections_are_reused_unless_a_fresh_one_is_asked_for() -> None:
    pool = ConnectionPool(TARGET, size=2)
    conn, reused = pool.take(fresh=False)
    assert not reused
    assert conn.sock is None, "connected by the caller, within its own timeout"
    conn.sock = Socket()
    pool.give_back(conn)
    assert pool.take(fresh=True) != (conn, True)
    pool.give_back(conn)
    assert pool.take(fresh=False) == (conn, True)
    conn.sock = None  # closed while idle (by us): not handed out again
    pool.give_back(conn)
    assert pool.take(fresh=False)[1] is False


def test_no_more_idle_connections_than_the_bound() -> None:
    pool = ConnectionPool(TARGET, size=1)
    first, second = pool.take(fresh=True)[0], pool.take(fresh=True)[0]
    first.sock, second.sock = Socket(), Socket()
    pool.give_back(first)
    pool.give_back(second)  # closed, not kept
    assert second.sock is None
    assert pool.take(fresh=False) == (first, True)


def test_a_pool_needs_a_connection() -> None:
    with pytest.raises(ValueError, match="at least one connection"):
        ConnectionPool(TARGET, size=0)
