"""Order exports: ``vf.orders.export(fields=..., filters=..., order=...)`` and its async twin.

An export is a job: ``POST /v1/orders/export`` schedules it, ``GET /v1/exports/{id}`` reports
``SCHEDULED`` → ``IN_PROGRESS`` → ``DONE`` (with ``result.url``) or ``ERROR``, and the CSV is
served by the regional *download* host (``api`` → ``download``, ``us1.api`` →
``us1.download``, ``as1.api`` → ``as1.download``; the spec's ``x-export-download``).

:class:`ExportHandle` waits (same polling as async actions: 1 s growing to 10 s, with a
deadline), then streams the file: :meth:`ExportHandle.download` writes it to disk through a
temporary file renamed into place (a failed download leaves nothing half-written), and
:meth:`ExportHandle.iter_rows` yields one dict per CSV row, with ``created_at``/``updated_at``
parsed to aware datetimes, amount columns to ``int``, and ``metadata`` columns JSON-decoded
when they hold JSON. Neither holds the file in memory.

The download URL carries a token. It is a secret: it never appears in logs (the transport and
httpx log through a redacting filter), in exception messages or in ``repr``; the transport
adds the usual authentication headers because the download host is a trusted origin. The
handle holds it as a :class:`~voucherify_ext.auth.Secret` (``handle.url`` gives the value), and
an error of the download request is raised with its traceback cut at ext's frame: the frames
below (httpx's and the transport's) hold request objects whose ``repr`` shows the URL, and
error trackers and rich tracebacks show frame locals. With OpenTelemetry, the download request
is sent with HTTP instrumentation suppressed under ext's own span, whose URL is redacted
(:mod:`voucherify_ext.exports.telemetry`).

A download URL that the download host refuses (401, 403 or 410: the token rotated or the URL
expired) is fetched afresh from the export (:meth:`ExportHandle.refresh`, ``getExport``) once,
and the download tried again; a second refusal raises the typed error, saying so.

The modules, one job each:

* :mod:`~voucherify_ext.exports.parameters`: the export body, checked before sending;
* :mod:`~voucherify_ext.exports.handle_async` (and its generated twin ``handle_sync``): the
  handle and ``create_export``: schedule, refresh, wait;
* :mod:`~voucherify_ext.exports.download_async` (and ``download_sync``): the download to a file
  and the rows; :mod:`~voucherify_ext.exports.download_rules`: its rules, without I/O;
* :mod:`~voucherify_ext.exports.handle_base`: what both handles share (state, URL, ``repr``);
* :mod:`~voucherify_ext.exports.rows`: CSV bytes to typed rows;
  :mod:`~voucherify_ext.exports.telemetry`: the download's own span.
"""

from voucherify_ext.errors import ExportFailedError
from voucherify_ext.exports.download_rules import REFUSED_URL_STATUSES, ProgressFn
from voucherify_ext.exports.handle_async import AsyncExportHandle, acreate_export
from voucherify_ext.exports.handle_base import download_url
from voucherify_ext.exports.handle_sync import ExportHandle, create_export
from voucherify_ext.exports.rows import AMOUNT_COLUMNS, DATE_COLUMNS, decode_metadata, parse_row
from voucherify_ext.http.deadlines import StallRule

__all__ = [
    "AMOUNT_COLUMNS",
    "DATE_COLUMNS",
    "REFUSED_URL_STATUSES",
    "AsyncExportHandle",
    "ExportFailedError",
    "ExportHandle",
    "ProgressFn",
    "StallRule",
    "acreate_export",
    "create_export",
    "decode_metadata",
    "download_url",
    "parse_row",
]
