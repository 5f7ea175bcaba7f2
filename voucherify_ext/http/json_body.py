"""A response body read and parsed once: what the transport does with a body before handing
the response back, and :class:`ParsedResponse`, whose ``json()`` returns that one parse.

For each response the transport picks a :class:`BodyPlan` (:func:`body_plan`): leave the body
to the caller (a download, a non-JSON success), read it, read and parse it (an error status's
JSON), or read and check it (a 2xx that must be JSON). :func:`body_problem` then parses a read
body as planned and says what makes a 2xx body unusable (cut short, not JSON, HTML, nested too
deeply), which the transport retries or reports.
"""

from __future__ import annotations

import enum
import json
from typing import Any

import httpx

__all__ = ["BodyPlan", "ParsedResponse", "body_plan", "body_problem", "parse_json"]


class ParsedResponse(httpx.Response):
    """A response whose JSON body the transport has already parsed (once): ``json()`` returns
    that parse, so generated code does not parse the body a second time. A body that did not
    parse raises ``json.JSONDecodeError`` from ``json()`` (the document is not kept in it)."""

    parsed_json: Any = None
    json_problem: str | None = None

    def json(self, **kwargs: Any) -> Any:
        if kwargs:
            return super().json(**kwargs)
        if self.json_problem is not None:
            raise json.JSONDecodeError(self.json_problem, "", 0)
        return self.parsed_json


def parse_json(content: bytes) -> tuple[Any, str | None]:
    """``(value, None)``, or ``(None, problem)`` for a body that is not JSON or is nested too
    deeply for the parser (``RecursionError`` is caught here, at the parse boundary)."""
    try:
        return json.loads(content), None
    except RecursionError:
        return None, "the response body is JSON nested too deeply to parse"
    except json.JSONDecodeError as exc:
        return None, f"the response body is not valid JSON ({exc.msg} at position {exc.pos})"
    except ValueError as exc:  # bytes that are not UTF-8/16/32
        return None, f"the response body is not valid JSON ({type(exc).__name__})"


def _cache_json(response: httpx.Response) -> str | None:
    """Parse ``response``'s body once and keep the result on it; the problem, if any."""
    value, problem = parse_json(response.content)
    response.__class__ = ParsedResponse
    assert isinstance(response, ParsedResponse)
    response.parsed_json = value
    response.json_problem = problem
    return problem


class BodyPlan(enum.IntEnum):
    """What the transport does with a response body before handing the response back."""

    LEAVE = 0  # the caller reads (or streams) it
    READ = 1  # read it, do not parse
    CACHE = 2  # read and parse it (an error status's JSON): ``json()`` reuses the parse
    CHECK = 3  # read, parse and check it (a 2xx): an unusable body is a problem


def body_plan(status: int, headers: dict[str, str], *, method: str, streamed: bool) -> BodyPlan:
    """The plan for a response with ``status`` and ``headers`` (lower-case names) to a request
    with ``method``; ``streamed``: a download, whose body the caller streams."""
    ctype = headers.get("content-type", "").lower()
    if status >= 400:
        return BodyPlan.CACHE if "json" in ctype else BodyPlan.READ
    if streamed or method == "HEAD" or not 200 <= status < 300 or status == 204:
        return BodyPlan.READ if "json" in ctype and not streamed else BodyPlan.LEAVE
    if "json" in ctype or "html" in ctype or not ctype:
        return BodyPlan.CHECK
    return BodyPlan.LEAVE


def body_problem(response: httpx.Response, plan: BodyPlan, headers: dict[str, str]) -> str | None:
    """Parse a read body as ``plan`` says; for a 2xx, what makes it unusable (or None)."""
    if plan < BodyPlan.CACHE:
        return None
    content = response.content
    if plan == BodyPlan.CACHE:
        if content:
            _cache_json(response)
        return None
    ctype = headers.get("content-type", "").lower()
    if "html" in ctype:
        return "the response body is not valid JSON but an HTML page"
    if not content:
        return "the response body is not valid JSON: it is empty" if "json" in ctype else None
    return _cache_json(response)
