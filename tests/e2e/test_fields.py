"""Number fields (ui.NumberField) as a learner uses them: a note about the last value goes
away once the learner types again, so no stale message sits beside a valid value."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import needs_numpy

pytestmark = [pytest.mark.e2e, needs_numpy]


def test_a_clamping_note_goes_once_a_valid_value_is_typed(open_page):
    page = open_page("pages/step-through.html")
    field, note = page.locator("#w11"), page.locator("#w11-error")
    field.fill("1e9")
    field.press("Enter")
    expect(note).to_contain_text("clamped")
    expect(field).to_have_value("10")
    field.fill("10")                    # the same value, typed on purpose
    field.press("Enter")
    expect(note).to_have_text("")
    field.fill("abc")
    field.press("Enter")
    expect(note).to_contain_text("still using 10")
    field.fill("2")
    field.press("Tab")
    expect(note).to_have_text("")
    expect(field).to_have_attribute("aria-invalid", "false")
