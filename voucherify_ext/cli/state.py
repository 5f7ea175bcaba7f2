"""What the global options configure: a lazily built client, and the sandbox behind --sandbox.

With ``--sandbox-state FILE`` the command holds ``FILE.lock`` from before the sandbox loads the
file until after it saves it back, so two commands on one state file run one after the other
instead of each saving over the other's data; a command that cannot get the lock within
:data:`STATE_WAIT` seconds stops with a one-line error naming the holder.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import typer

from voucherify_ext.errors import ConfigurationError, ValidationError
from voucherify_ext.imports import file_lock

if TYPE_CHECKING:
    from voucherify_ext.client import Voucherify


#: Seconds a command waits for another command that holds the same ``--sandbox-state`` file.
STATE_WAIT = 30.0


def hold_state_file(path: str, wait: float = STATE_WAIT) -> file_lock.HeldLock:
    """Lock the sandbox state file ``path`` for this command (see the module documentation)."""
    try:
        return file_lock.take(Path(path), timeout=wait)
    except file_lock.LockBusy as busy:
        raise ConfigurationError(
            f"--sandbox-state {path} is in use by another command ({busy.holder or 'holder unknown'}) "
            f"and stayed so for {wait:g}s; wait for it to finish, or use another state file"
        ) from None
    except OSError as exc:
        raise ConfigurationError(
            f"--sandbox-state {path}: cannot lock it ({exc.strerror or exc}); choose a writable folder"
        ) from None


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
    rate_limit: str | None = None
    _client: Voucherify | None = attrs.field(default=None, init=False, repr=False)
    _stack: contextlib.ExitStack = attrs.field(factory=contextlib.ExitStack, init=False, repr=False)

    def client(self) -> Voucherify:
        """The client the command uses, built on first use (so ``--help`` needs no credentials)."""
        if self._client is None:
            from voucherify_ext.client import Voucherify

            app_id, app_token, base_url = self.app_id, self.app_token, self.base_url
            cluster = self.cluster
            if self.sandbox:
                from voucherify_ext.sandbox import serve
                from voucherify_ext.sandbox.snapshot import StateFileError

                if self.sandbox_state is not None:
                    # released after the sandbox has saved the file (the stack unwinds in reverse)
                    self._stack.callback(hold_state_file(self.sandbox_state).release)
                try:
                    sandbox = self._stack.enter_context(serve(state_file=self.sandbox_state))
                except StateFileError as exc:  # a local file that cannot be read: exit 4
                    raise ValidationError(f"--sandbox-state {exc}") from None
                app_id, app_token, base_url, cluster = sandbox.app_id, sandbox.app_token, sandbox.url, None
            self._client = self._stack.enter_context(
                Voucherify(
                    app_id=app_id,
                    app_token=app_token,
                    cluster=cluster,
                    base_url=base_url,
                    max_retries=self.max_retries,
                    rate_limit=self.rate_limit,
                )
            )
        return self._client

    def close(self) -> None:
        self._stack.close()


def state_of(ctx: typer.Context) -> CliState:
    """The :class:`CliState` the global options made (the root command's context object)."""
    state = ctx.find_root().obj
    assert isinstance(state, CliState)
    return state
