"""The tests' SMTP server keeps its port while it is down, so a test that starts it later (the
"mail server was down, then came back" tests) finds the port still its own.

A port only reserved by number was taken by another connection while the server was down in a
CI run (``create_server`` failed with "address already in use" after four minutes down).
"""

from __future__ import annotations

import errno
import smtplib
import socket

import pytest

pytest.importorskip("aiosmtpd")

from support.smtp import SmtpServer


def _bind_refused(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        try:
            other.bind(("127.0.0.1", port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
        return False


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
    except ConnectionRefusedError:
        return True
    return False


def test_a_down_server_holds_its_port_and_refuses_connections() -> None:
    smtp = SmtpServer()
    try:
        assert _bind_refused(smtp.port), "another socket could take the down server's port"
        assert _refused(smtp.port), "a down server must refuse connections"
        smtp.start()
        with smtplib.SMTP("127.0.0.1", smtp.port, timeout=30) as client:
            client.sendmail("a@studio.example", ["b@studio.example"], b"Subject: one\r\n\r\nhi")
        smtp.stop()
        assert _bind_refused(smtp.port), "another socket could take the stopped server's port"
        assert _refused(smtp.port)
        smtp.start()
        with smtplib.SMTP("127.0.0.1", smtp.port, timeout=30) as client:
            client.sendmail("a@studio.example", ["b@studio.example"], b"Subject: two\r\n\r\nhi")
        assert [m["Subject"] for m in smtp.messages] == ["one", "two"]
    finally:
        smtp.stop()
        smtp.close()
