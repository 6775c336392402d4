"""The widget builders' contract: built and returned, never displayed; displayable."""

from __future__ import annotations

import IPython.core.display_functions
import IPython.display
import ipywidgets
import pytest

import whmcs_frames.widgets as widgets


@pytest.fixture
def no_display(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a widget builder called display()")

    monkeypatch.setattr(IPython.display, "display", refuse)
    monkeypatch.setattr(IPython.core.display_functions, "display", refuse)


def test_the_module_exports_the_builders_and_their_classes():
    assert widgets.__all__ == ["AddOrderForm", "ReviewQueue", "add_order_form", "review"]


def test_builders_return_widgets_without_displaying_them(client, no_display):
    rv = widgets.review(client)
    form = widgets.add_order_form(client)
    assert isinstance(rv, widgets.ReviewQueue) and isinstance(rv, ipywidgets.VBox)
    assert isinstance(form, widgets.AddOrderForm) and isinstance(form, ipywidgets.VBox)


def test_the_widgets_show_themselves_as_the_last_value_of_a_cell(client):
    for widget in (widgets.review(client), widgets.add_order_form(client)):
        bundle = widget._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle


def test_a_failing_read_is_shown_in_the_widgets_not_raised(box, client):
    box.faults.queue("html", count=50)
    with box.client(retries=0, audit_log=client.audit_log) as failing:
        rv = widgets.review(failing)
        form = widgets.add_order_form(failing)
    assert "Could not read" in rv.status and rv.error
    assert "Could not read the catalogue" in form.status and form.error
    assert rv.queue.empty and form.product.options == ()


def test_confirm_and_back_start_disabled_and_outcomes_start_empty_but_typed(client):
    rv = widgets.review(client)
    form = widgets.add_order_form(client)
    assert rv.step.confirm.disabled and rv.step.back.disabled
    assert form.step.confirm.disabled and not form.submit.disabled
    assert rv.outcomes.empty
    assert list(rv.outcomes.columns) == ["time", "orderid", "action", "outcome", "ok",
                                         "message", "error", "params"]
    assert rv.dry_run_toggle.description == "Dry run: off"
    rv.dry_run = True
    assert rv.dry_run_toggle.description == "Dry run: on"
