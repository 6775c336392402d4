"""The fraud review notebook in a real browser: a click in the page reaches WHMCS.

Voilà serves ``notebooks/02_fraud_review.ipynb`` against a sandbox, headless Chromium
opens it, selects a pending order in the queue and presses Accept, then Confirm. The
outcome is checked where it lands — the sandbox's order and the audit log — never in
the page. Screenshots go to the test's tmp folder (the path is printed).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import whmcs_frames as wf
from whmcs_frames.sandbox._fraud_patterns import RING_B_IP
from whmcs_frames.widgets._review_risk import SHORT_LABELS

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from .conftest import VoilaServer

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_fraud_review.ipynb"
RENDER_TIMEOUT_MS = 45_000  # Voilà runs the whole notebook before the page shows it
SETTLE_TIMEOUT = 20.0  # seconds for a confirmed action to reach the sandbox and the log
# The queue's rows: DataTables' body rows, without its "No data" placeholder row.
ROWS = "table.dataTable tbody tr:has(td):not(:has(td.dt-empty))"
# A cell that raised: Voilà (--show_tracebacks) renders the traceback as stderr output.
TRACEBACK = ('[data-mime-type="application/vnd.jupyter.stderr"]'
             ':has-text("Traceback (most recent call last)")')


def _button(scope: Page | Locator, label: str) -> Locator:
    # ipywidgets put a Font Awesome glyph before an icon button's text, and that glyph
    # is part of the accessible name: match the label after any leading non-word chars.
    return scope.get_by_role("button", name=re.compile(rf"^\W*{re.escape(label)}\b"))


def _wait_until(check: Callable[[], bool], what: str, timeout: float = SETTLE_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"expected {what} within {timeout:g} s"
        time.sleep(0.2)


def _audited(path: Path, orderid: int, outcome: str, action: str = "AcceptOrder") -> bool:
    """Whether the audit log has an ``action`` attempt for the order with this outcome."""
    try:
        log = wf.read_audit_log(path)
    except wf.ConfigError:  # nothing written yet
        return False
    return bool(((log["action"] == action) & (log["orderid"] == orderid)
                 & (log["outcome"] == outcome)).any())


def _screenshot(page: Page, widget: Locator, path: Path) -> None:
    """Save the widget, after checking that nothing of the page sticks out sideways."""
    # At 1280 px nothing may be cut off or need a horizontal scrollbar.
    overflow = page.evaluate("() => document.documentElement.scrollWidth"
                             " - document.documentElement.clientWidth")
    box = widget.bounding_box()
    widget.screenshot(path=path)
    print(f"screenshot: {path}")
    assert overflow <= 0, f"the page is {overflow} px wider than the viewport (see {path})"
    assert box is not None and box["x"] + box["width"] <= page.viewport_size["width"], \
        f"the review widget does not fit in the viewport: {box} (see {path})"


def _notebook_screenshot(page: Page, path: Path) -> None:
    """The whole rendered notebook, 1280 px wide, for a look at every cell's layout."""
    # Voilà's lab template scrolls #rendered_cells, not the document, so a full-page
    # screenshot would stop at 800 px: grow the viewport to the content, then restore.
    height = page.evaluate("() => (document.getElementById('rendered_cells')"
                           " ?? document.documentElement).scrollHeight")
    viewport = page.viewport_size
    page.set_viewport_size({"width": viewport["width"], "height": min(int(height), 16_000)})
    page.screenshot(path=path)
    page.set_viewport_size(viewport)
    print(f"screenshot: {path}")


def open_queue(page: Page, server: VoilaServer, shots: Path) -> Locator:
    """Open the notebook, wait for the queue to show rows; return the review widget."""
    page.goto(server.url, wait_until="domcontentloaded", timeout=RENDER_TIMEOUT_MS)
    # The review widget: the innermost widget box holding both the queue and Accept
    # (other cells' tables are not the queue).
    widget = (page.locator(".widget-vbox").filter(has=page.locator("table.dataTable"))
              .filter(has=_button(page, "Accept")).last)
    failed = page.locator(TRACEBACK)
    try:  # rows, or a failed cell: then there is no point waiting any longer
        widget.locator(ROWS).or_(failed).first.wait_for(timeout=RENDER_TIMEOUT_MS)
    except Exception as exc:  # playwright's TimeoutError: say what the page showed
        pytest.fail(f"the review queue rendered no rows ({exc.__class__.__name__}).\n"
                    f"Page text:\n{page.inner_text('body')[:3000]}\n"
                    f"Voilà log:\n{server.log_tail()}", pytrace=False)
    if failed.count():
        pytest.fail(f"a notebook cell failed:\n{failed.first.inner_text()[-3000:]}",
                    pytrace=False)
    _notebook_screenshot(page, shots / "notebook.png")
    _screenshot(page, widget, shots / "review_queue.png")
    return widget


def why_of_top_row(page: Page, widget: Locator) -> str:
    """The "why" cell of the queue's top row, checked to be visible in the viewport."""
    # With scrollX DataTables draws the header as a table of its own: find the column there.
    titles = [t.strip() for t in widget.locator("div.dt-scroll-head thead th").all_inner_texts()]
    assert "why" in titles, f"no why column in the queue's header: {titles}"
    cell = widget.locator(ROWS).first.locator("td").nth(titles.index("why"))
    cell.wait_for(state="visible")
    box = cell.bounding_box()
    assert box is not None and box["width"] > 0
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], \
        f"the why cell of the top row is outside the viewport: {box}"
    text = cell.inner_text().strip()
    labels = "|".join(re.escape(label) for label in SHORT_LABELS.values())
    assert re.fullmatch(rf"(?:{labels})(?:, (?:{labels}))*(?: \+\d+)?", text), \
        f"the top row's why cell reads {text!r}"
    return text


def select_pending_order(page: Page, widget: Locator, box: wf.sandbox.Sandbox) -> int:
    """Click the first queue row whose order the sandbox has as Pending; return its id."""
    for row in widget.locator(ROWS).all():
        id_cell = row.locator("td").first
        orderid = int(id_cell.inner_text().strip())
        if box.order(orderid)["status"] == "Pending":
            id_cell.click()
            # DataTables marks the row at once; the kernel hears of it over the same
            # websocket before the button click that follows.
            page.wait_for_function("row => row.classList.contains('selected')",
                                   arg=row.element_handle())
            return orderid
    pytest.fail("no Pending order among the queue's rows", pytrace=False)


def accept_and_confirm(page: Page, widget: Locator, orderid: int, *, dry_run: bool,
                       shots: Path) -> None:
    """Press Accept, check the confirmation names the order (and mode), press Confirm."""
    _button(widget, "Accept").click()
    confirm = _button(widget, "Confirm")
    confirm.wait_for()
    # What the kernel proposes to send proves it got this order from the click.
    widget.get_by_text(re.compile(rf"\bAcceptOrder orderid={orderid}\b")).first.wait_for()
    # Never confirm a live write when a dry run was meant, nor the other way round.
    mode = "DRY RUN" if dry_run else "LIVE"
    widget.get_by_text(re.compile(rf"\b{mode}:")).first.wait_for()
    _screenshot(page, widget, shots / "confirmation.png")
    confirm.click()
    confirm.wait_for(state="hidden")


@pytest.fixture
def review(serve_notebook: Callable[[Path], VoilaServer]) -> VoilaServer:
    """Voilà serving the fraud review notebook against the test's sandbox."""
    return serve_notebook(NOTEBOOK)


def test_accept_in_the_page_reaches_whmcs(page: Page, review: VoilaServer,
                                          box: wf.sandbox.Sandbox, tmp_path: Path) -> None:
    widget = open_queue(page, review, tmp_path)
    why_of_top_row(page, widget)  # the riskiest order says why, in view
    orderid = select_pending_order(page, widget, box)
    accept_and_confirm(page, widget, orderid, dry_run=False, shots=tmp_path)

    _wait_until(lambda: box.order(orderid)["status"] == "Active",
                f"order {orderid} Active in the sandbox")
    _wait_until(lambda: _audited(review.audit_log, orderid, "success"),
                f"an AcceptOrder success for order {orderid} in the audit log")
    assert box.request_count("AcceptOrder") == 1  # one click, one request, no retry
    _screenshot(page, widget, tmp_path / "after_accept.png")


def test_dry_run_in_the_page_changes_nothing(page: Page, review: VoilaServer,
                                             box: wf.sandbox.Sandbox, tmp_path: Path) -> None:
    widget = open_queue(page, review, tmp_path)
    toggle = _button(widget, "Dry run")
    toggle.click()
    page.wait_for_function("el => el.classList.contains('mod-active')",
                           arg=toggle.element_handle())
    orderid = select_pending_order(page, widget, box)
    accept_and_confirm(page, widget, orderid, dry_run=True, shots=tmp_path)

    _wait_until(lambda: _audited(review.audit_log, orderid, "dry-run"),
                f"an AcceptOrder dry-run row for order {orderid} in the audit log")
    assert box.order(orderid)["status"] == "Pending"
    assert box.request_count("AcceptOrder") == 0
    _screenshot(page, widget, tmp_path / "after_dry_run.png")


@pytest.fixture
def box(request: pytest.FixtureRequest, box: wf.sandbox.Sandbox
        ) -> Iterator[wf.sandbox.Sandbox]:
    """The root conftest's sandbox, or, for a test parametrizing ``box`` indirectly with
    ``serve()`` arguments, a sandbox of its own (Voilà's kernels are pointed at it)."""
    wanted: dict[str, Any] | None = getattr(request, "param", None)
    if wanted is None:
        yield box
        return
    with wf.sandbox.serve(**wanted) as bigger:
        yield bigger


# 500 orders: the seeded fraud patterns, a pending ring of four on RING_B_IP among them.
@pytest.mark.parametrize("box", [{"orders": 500, "seed": 7}], indirect=True, ids=["ring"])
def test_a_ring_is_selected_together_and_marked_fraud_in_the_page(
        page: Page, review: VoilaServer, box: wf.sandbox.Sandbox, tmp_path: Path) -> None:
    widget = open_queue(page, review, tmp_path)
    ring_rows = widget.locator(ROWS).filter(has_text=RING_B_IP)
    ring = sorted(int(r.locator("td").first.inner_text()) for r in ring_rows.all())
    assert len(ring) == 4, f"the ring's rows on the first page: {ring}"
    first = ring_rows.first
    first.locator("td").first.click()
    page.wait_for_function("row => row.classList.contains('selected')",
                           arg=first.element_handle())
    # The detail pane names the shared IP in words; its button then selects the ring.
    widget.get_by_text(f"4 clients share IP {RING_B_IP} within 24 h").first.wait_for()
    share = _button(widget, "Select all sharing this IP")
    assert share.inner_text().strip().endswith("(4)")
    share.click()
    page.wait_for_function(
        "([rows, n]) => rows.filter(r => r.classList.contains('selected')).length === n",
        arg=[ring_rows.element_handles(), 4])
    _button(widget, "Mark fraud").click()
    for orderid in ring:  # the kernel proposes exactly the ring, live
        widget.get_by_text(re.compile(rf"\bFraudOrder orderid={orderid}\b")).first.wait_for()
    widget.get_by_text(re.compile(r"\bLIVE:")).first.wait_for()
    _screenshot(page, widget, tmp_path / "ring_confirmation.png")
    confirm = _button(widget, "Confirm")
    confirm.click()
    confirm.wait_for(state="hidden")
    _wait_until(lambda: all(box.order(i)["status"] == "Fraud" for i in ring),
                "the four ring orders Fraud in the sandbox")
    _wait_until(lambda: all(_audited(review.audit_log, i, "success", "FraudOrder")
                            for i in ring), "a FraudOrder success per ring order in the log")
    assert box.request_count("FraudOrder") == 4  # one click, one request each, no retry
