"""Master data as the JSON values an office sends the centre: read back exactly, and anything else
refused with a typed error (the centre reads what arrived over the network)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watcher.masterdata.codec import master_from_json, master_to_json
from watcher.masterdata.model import CapaianRules, PredikatBand, ZeroTarget
from watcher.masterdata.sample import sample_master
from watcher.sop.calendar import DayOverride, OfficeDay

SAMPLE = sample_master()


def _through_json(master):  # type: ignore[no-untyped-def]
    return master_from_json(json.loads(json.dumps(master_to_json(master))))


def test_the_sample_master_reads_back_equal() -> None:
    assert _through_json(SAMPLE) == SAMPLE


@given(
    floor=st.none() | st.floats(-100, 100, allow_nan=False),
    zero=st.sampled_from(ZeroTarget),
    bands=st.lists(st.tuples(st.text(min_size=1, max_size=12), st.floats(0, 100)), max_size=4),
    cap=st.none() | st.floats(100, 200),
    days=st.lists(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=3, unique=True),
    hours=st.none() | st.tuples(st.integers(6, 9), st.integers(13, 17)),
)
@settings(max_examples=60, deadline=None)
def test_any_rules_an_office_may_write_read_back_equal(floor, zero, bands, cap, days, hours):  # type: ignore[no-untyped-def]
    settings_ = dataclasses.replace(
        SAMPLE.settings,
        capaian_rules=CapaianRules(zero_target=zero, floor=floor),
        day_overrides=tuple(
            DayOverride(day, working=hours is not None,
                        hours=OfficeDay(time(hours[0]), time(hours[1])) if hours else None)
            for day in days
        ),
    )  # fmt: skip
    first = dataclasses.replace(SAMPLE.indicators[0], cap=cap)
    master = dataclasses.replace(
        SAMPLE,
        settings=settings_,
        bands=(*(PredikatBand(label, above) for label, above in bands), PredikatBand("X", None)),
        indicators=(first, *SAMPLE.indicators[1:]),
    )

    assert _through_json(master) == master


@pytest.mark.parametrize(
    "damage",
    [
        lambda v: v.pop("settings"),
        lambda v: v["settings"].update(year="2026"),
        lambda v: v["settings"].update(tidak_dikenal=1),
        lambda v: v["indicators"][0].update(polarity="Sedang"),
        lambda v: v["indicators"][0].update(quarter_targets=[1, 2, 3]),
        lambda v: v["indicators"][0].update(annual_target=True),
        lambda v: v.update(divisions={"a": 1}),
    ],
    ids=["missing", "text-year", "unknown-field", "bad-enum", "three-quarters", "bool-number",
         "wrong-shape"],
)  # fmt: skip
def test_damaged_values_are_refused_with_a_typed_error(damage) -> None:  # type: ignore[no-untyped-def]
    values = json.loads(json.dumps(master_to_json(SAMPLE)))
    damage(values)

    with pytest.raises((KeyError, TypeError, ValueError)):
        master_from_json(values)
