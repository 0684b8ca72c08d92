"""Every hostile value of the browser's hostile-link test (tests/e2e/test_hardening.py, which opens
a few links per lesson with all of them mixed) read into every setting of every lesson, one at a
time, through the state table the page reads its link with (ui.UrlState.load -> from_query)."""
import importlib
from urllib.parse import urlencode

import pytest

from tests.e2e.test_hardening import LESSONS, PAYLOADS

VALUES = {(kind, payload(i)) for kind, payload in PAYLOADS.items() for i in range(6)}


@pytest.mark.parametrize("name", LESSONS)
def test_every_hostile_value_in_every_setting_is_refused_or_taken_as_a_valid_setting(name):
    table = importlib.import_module(f"app.{name.replace('-', '_')}_model").STATE
    for key in table.props:
        for kind, value in sorted(VALUES):
            values, notes = table.from_query("?" + urlencode({key: value}))
            where = f"{name}: {key}={value[:40]!r}"
            # Markup and 2,000+ characters are never a setting's value: the learner is told.
            if kind in ("script", "long"):
                assert values[key] == table.defaults()[key] and notes, where
            # Whatever is taken is a state the page could have written itself: its link reads back
            # to the same values with nothing to say.
            assert table.from_query(table.to_query(values)) == (values, []), where
            # Every other setting keeps its default.
            assert {k: v for k, v in values.items() if k != key} == \
                {k: v for k, v in table.defaults().items() if k != key}, where
