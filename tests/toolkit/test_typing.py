"""The toolkit is typed by the generated package it is given: mypy --strict accepts a team's
correct use and refuses a wrong one (a wrong argument, the wrong client, an item of the wrong
model). Were ``call``/``bind``/``paginate`` typed loosely (``Any``), the wrong snippets would pass.

The package here is ``voucherify_client``; examples/customers_team proves the same for another
team's package, generated from the built wheel.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # one mypy run of about 10 s: handed out first under xdist

HEADER = """
from voucherify_client.api.orders import get_order, list_orders
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import OrderCalculated, OrdersListResponseBodyItem as Item
from voucherify_ext.toolkit import Upsert, Voucherify, call, paginate, unwrap


def use(vf: Voucherify) -> None:
    client = vf.bind(AuthenticatedClient, upserts=[Upsert("/v1/customers", keys="source_id")])
"""

RIGHT = """
    order = unwrap(call(get_order.sync_detailed, "ord_1", client=client), OrderCalculated)
    name: str | None = order.id if isinstance(order.id, str) else None
    for item in paginate(list_orders.sync_detailed, client, data_ref="orders", item=Item):
        amount: int | None = item.amount if isinstance(item.amount, int) else None
    print(name, amount)
"""

WRONG = {
    "an argument of the wrong type": ("    call(get_order.sync_detailed, 7, client=client)\n", "arg-type"),
    "our façade where their client goes": ('    call(get_order.sync_detailed, "o", client=vf)\n', "arg-type"),
    "an unknown keyword": ('    call(get_order.sync_detailed, "o", client=client, pgae=2)\n', "call-arg"),
    "the bound client used as another class": ("    x: Voucherify = client\n", "assignment"),
    "an item used as another model": (
        '    for item in paginate(list_orders.sync_detailed, client, data_ref="orders", item=Item):\n'
        "        item.no_such_field\n",
        "attr-defined",
    ),
    "the model unwrap returns used as another": (
        '    s: str = unwrap(call(get_order.sync_detailed, "o", client=client), OrderCalculated)\n',
        "assignment",
    ),
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One mypy --strict run over the right use and every wrong one, each in its own module:
    what it says about each."""
    work = tmp_path_factory.mktemp("typing")
    (work / "none.toml").write_text("", encoding="utf-8")
    modules = {"right": RIGHT} | {f"wrong_{n}": WRONG[case][0] for n, case in enumerate(sorted(WRONG))}
    for name, body in modules.items():
        (work / f"{name}.py").write_text(HEADER + body, encoding="utf-8")
    argv = ["--strict", "--no-incremental", "--config-file", str(work / "none.toml")]
    out, err, _ = api.run([*argv, *(str(work / f"{name}.py") for name in modules)])
    lines = (out + err).splitlines()
    return {name: "\n".join(line for line in lines if f"{name}.py:" in line) for name in modules}


def test_a_correct_use_type_checks_strictly(reports: dict[str, str]) -> None:
    assert reports["right"] == ""


@pytest.mark.parametrize("case", sorted(WRONG))
def test_a_wrong_use_is_refused(reports: dict[str, str], case: str) -> None:
    said = reports[f"wrong_{sorted(WRONG).index(case)}"]
    assert f"[{WRONG[case][1]}]" in said, said
