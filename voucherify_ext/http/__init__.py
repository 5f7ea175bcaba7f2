"""The HTTP layer: the retrying transport and what it is made of.

* ``retry_transport``: names :class:`RetryTransport` and :class:`AsyncRetryTransport`; the
  loop is written once in ``retry_transport_async`` (``retry_transport_sync`` is generated);
* ``retry_core``: the decisions, without I/O; ``attempt``: one call's bookkeeping across its
  attempts; ``request_headers``: the request each attempt sends; ``failures``: the typed errors
  of failed attempts; ``json_body``: a body read and parsed once; ``oauth``: the token refresh;
* ``exchange``: the record of an exchange the transport attaches to the response;
* ``deadlines``, ``limit_scopes`` and ``limited_stream_async`` (its twin is generated): limits
  that bound a whole exchange; ``lifecycle``: the shared connection pool (closed, forked, bound
  to an event loop); ``url_paths``.

The package's ``__init__`` imports nothing, so importing one module of it loads only what that
module needs.
"""
