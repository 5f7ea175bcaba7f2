"""What the global options configure: a lazily built client, and the sandbox behind --sandbox."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from ..client import Voucherify


@attrs.define
class CliState:
    app_id: str | None
    app_token: str | None = attrs.field(repr=False)
    cluster: str | None
    base_url: str | None
    sandbox: bool
    sandbox_state: str | None
    max_retries: int | None
    debug: bool
    _client: Voucherify | None = attrs.field(default=None, init=False, repr=False)
    _stack: contextlib.ExitStack = attrs.field(factory=contextlib.ExitStack, init=False, repr=False)

    def client(self) -> Voucherify:
        """The client the command uses, built on first use (so ``--help`` needs no credentials)."""
        if self._client is None:
            from ..client import Voucherify

            app_id, app_token, base_url = self.app_id, self.app_token, self.base_url
            cluster = self.cluster
            if self.sandbox:
                from ..sandbox import serve

                sandbox = self._stack.enter_context(serve(state_file=self.sandbox_state))
                app_id, app_token, base_url, cluster = sandbox.app_id, sandbox.app_token, sandbox.url, None
            self._client = self._stack.enter_context(
                Voucherify(
                    app_id=app_id,
                    app_token=app_token,
                    cluster=cluster,
                    base_url=base_url,
                    max_retries=self.max_retries,
                )
            )
        return self._client

    def close(self) -> None:
        self._stack.close()
