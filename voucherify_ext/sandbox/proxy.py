"""A loopback TCP proxy in front of uvicorn that carries out connection-level faults.

uvicorn turns any exception into a 500 and always finishes a response, so a dropped connection
or a body cut off mid-stream cannot come from the app itself. The proxy forwards HTTP/1.1
requests one at a time per client connection and parses only message framing
(``Content-Length`` / chunked). When the app marks a response with the internal
``x-sandbox-fault`` header, the proxy

* ``drop_before`` / ``drop_after``: closes the client connection without sending a byte (the
  app did not process the request / did process and commit it);
* ``truncate``: sends the head, with the full ``Content-Length``, and half the body, then closes;
* ``trickle``: sends the head, then the body one byte per pause (``x-sandbox-fault: trickle 500``
  carries the pause in milliseconds);
* ``header_drip``: sends the status line and headers one byte per pause, then the body;
* ``endless_body``: sends the head as ``Transfer-Encoding: chunked``, the body as a first chunk,
  then a chunk of 64 spaces per pause, until the client goes away.

The header is stripped from every response, so clients never see it.
"""

from __future__ import annotations

import asyncio
import contextlib

from voucherify_ext.sandbox.faults import (
    DROP_AFTER,
    DROP_BEFORE,
    ENDLESS_BODY,
    FAULT_HEADER,
    HEADER_DRIP,
    SLOW_DELAY_MS,
    TRICKLE,
    TRUNCATE,
)

_FAULT_HEADER = FAULT_HEADER.encode("ascii")
_HEAD_LIMIT = 1 << 20


class _Closed(Exception):
    """The peer closed the connection between messages."""


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        raise _Closed from exc
    except asyncio.LimitOverrunError as exc:
        raise _Closed from exc


def _headers(head: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    lines = head.split(b"\r\n")
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        if b":" in line:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        line = await reader.readuntil(b"\r\n")
        parts.append(line)
        size = int(line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while True:
                trailer = await reader.readuntil(b"\r\n")
                parts.append(trailer)
                if trailer == b"\r\n":
                    return b"".join(parts)
        parts.append(await reader.readexactly(size + 2))


async def _read_body(reader: asyncio.StreamReader, headers: dict[bytes, bytes], *, until_eof: bool) -> bytes:
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        return await _read_chunked(reader)
    length = headers.get(b"content-length")
    if length is not None:
        return await reader.readexactly(int(length))
    return await reader.read() if until_eof else b""


def _drop_header(head: bytes, name: bytes) -> bytes:
    lines = head.split(b"\r\n")
    return b"\r\n".join(line for line in lines if line.partition(b":")[0].strip().lower() != name)


def _strip_fault_header(head: bytes) -> tuple[bytes, str | None]:
    lines = head.split(b"\r\n")
    kept: list[bytes] = []
    fault: str | None = None
    for line in lines:
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower() == _FAULT_HEADER:
            fault = value.strip().decode("ascii", "replace")
        else:
            kept.append(line)
    return b"\r\n".join(kept), fault


def _parse_fault(value: str | None) -> tuple[str | None, float]:
    """``"trickle 500"`` → ``("trickle", 0.5)``: the kind and the pause in seconds."""
    if value is None:
        return None, 0.0
    kind, _, delay = value.partition(" ")
    try:
        pause_ms = float(delay) if delay else SLOW_DELAY_MS.get(kind, 0.0)
    except ValueError:
        pause_ms = SLOW_DELAY_MS.get(kind, 0.0)
    return kind, max(pause_ms, 0.0) / 1000.0


async def _drip(writer: asyncio.StreamWriter, data: bytes, pause: float) -> None:
    """Send ``data`` a byte at a time, ``pause`` seconds apart (raises once the peer is gone)."""
    for index in range(len(data)):
        if writer.is_closing():
            raise ConnectionResetError("the client went away")
        writer.write(data[index : index + 1])
        await writer.drain()
        await asyncio.sleep(pause)


def _chunked_head(head: bytes) -> bytes:
    """The response head re-framed as ``Transfer-Encoding: chunked`` (no ``Content-Length``)."""
    head = _drop_header(_drop_header(head, b"content-length"), b"transfer-encoding")
    return head[: -len(b"\r\n\r\n")] + b"\r\ntransfer-encoding: chunked\r\n\r\n"


async def _endless(writer: asyncio.StreamWriter, head: bytes, body: bytes, pause: float) -> None:
    """A chunked response whose body never ends: ``body``, then whitespace every ``pause``."""
    writer.write(_chunked_head(head))
    if body:
        writer.write(b"%x\r\n%s\r\n" % (len(body), body))
    filler = b" " * 64
    while not writer.is_closing():
        writer.write(b"%x\r\n%s\r\n" % (len(filler), filler))
        await writer.drain()
        await asyncio.sleep(pause)


class FaultProxy:
    """Forwards ``host:port`` to the upstream uvicorn, one upstream connection per client."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self, host: str, port: int) -> int:
        self._server = await asyncio.start_server(self._serve_client, host, port, limit=_HEAD_LIMIT)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection(
            self.upstream_host, self.upstream_port, limit=_HEAD_LIMIT
        )
        self._writers.add(writer)
        return reader, writer

    async def _serve_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                head = await _read_head(reader)
                request_line, headers = _headers(head)
                if headers.get(b"expect", b"").lower() == b"100-continue":
                    # curl sends this for bodies over 1 KiB and would wait a second for it.
                    head = _drop_header(head, b"expect")
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                    await writer.drain()
                body = await _read_body(reader, headers, until_eof=False)
                method = request_line.split(b" ", 1)[0].upper()
                if upstream is None or upstream[0].at_eof():
                    if upstream is not None:
                        upstream[1].close()
                    upstream = await self._connect()
                up_reader, up_writer = upstream
                up_writer.write(head + body)
                await up_writer.drain()
                response_head = await _read_head(up_reader)
                status_line, response_headers = _headers(response_head)
                status = int(status_line.split(b" ", 2)[1])
                if method == b"HEAD" or status in (204, 304) or 100 <= status < 200:
                    response_body = b""
                else:
                    response_body = await _read_body(up_reader, response_headers, until_eof=True)
                response_head, marker = _strip_fault_header(response_head)
                fault, pause = _parse_fault(marker)
                if fault in (DROP_BEFORE, DROP_AFTER):
                    return
                if fault == TRICKLE:
                    writer.write(response_head)
                    await _drip(writer, response_body, pause)
                    return
                if fault == HEADER_DRIP:
                    await _drip(writer, response_head, pause)
                    writer.write(response_body)
                    await writer.drain()
                    return
                if fault == ENDLESS_BODY:
                    await _endless(writer, response_head, response_body, pause)
                    return
                if fault == TRUNCATE:
                    writer.write(response_head + response_body[: len(response_body) // 2])
                    await writer.drain()
                    return
                writer.write(response_head + response_body)
                await writer.drain()
                if (
                    response_headers.get(b"connection", b"").lower() == b"close"
                    or headers.get(b"connection", b"").lower() == b"close"
                ):
                    return
        except (_Closed, ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
            return
        finally:
            if upstream is not None:
                upstream[1].close()
                self._writers.discard(upstream[1])
            writer.close()
            self._writers.discard(writer)
