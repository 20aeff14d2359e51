"""The law's rules for a leave request, checked without a database (``leave.rules``).

The school year runs from Sat 1 Aug 2026 through Sat 31 Jul 2027; the first two school weeks
end on Sun 16 Aug. Today is Wed 18 Nov 2026.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from aanwezig.leave import rules
from aanwezig.leave.models import DecidedBy, LeaveKind
from aanwezig.lib.dates import daterange

D = dt.date
TODAY = D(2026, 11, 18)
YEAR = (D(2026, 8, 1), D(2027, 7, 31))
PDF = rules.Upload(name="verklaring.pdf", size=2000, head=b"%PDF-1.7\n")
MON, WED = D(2026, 11, 23), D(2026, 11, 25)
FEB_1, FEB_5 = D(2027, 2, 1), D(2027, 2, 5)


def weekdays(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    return tuple(day for day in daterange(start, end) if day.weekday() < 5)


def facts(kind: str = LeaveKind.IMPORTANT_14, start: dt.date = MON, end: dt.date = WED,
          **kw: Any) -> rules.RequestFacts:
    values: dict[str, Any] = {"today": TODAY, "reason": "De bruiloft van een tante.", "school_year": YEAR,
              "school_days": weekdays(start, end), "first_weeks_end": D(2026, 8, 16)}
    values.update(kw)
    return rules.RequestFacts(kind=kind, start=start, end=end, **values)


def holiday(start: dt.date = FEB_1, end: dt.date = FEB_5, **kw: Any) -> rules.RequestFacts:
    return facts(LeaveKind.HOLIDAY_13A, start, end, **{"upload": PDF, **kw})


def test_important_circumstances_of_three_days_go_to_the_school_head():
    verdict = rules.check_request(facts())
    assert verdict.ok
    assert verdict.school_days == 3
    assert verdict.decides == DecidedBy.SCHOOL_HEAD
    assert verdict.notes == []


def test_important_circumstances_of_more_than_ten_days_go_to_the_leerplichtambtenaar():
    verdict = rules.check_request(facts(end=D(2026, 12, 8)))  # 12 school days
    assert verdict.ok
    assert verdict.school_days == 12
    assert verdict.decides == DecidedBy.LEERPLICHT
    assert [code for code, _text in verdict.notes] == ["to_leerplicht"]


def test_exactly_ten_school_days_stay_with_the_school_head():
    verdict = rules.check_request(facts(end=D(2026, 12, 4)))
    assert verdict.school_days == 10
    assert verdict.decides == DecidedBy.SCHOOL_HEAD


def test_holiday_leave_of_five_days_well_ahead_passes_without_a_note():
    verdict = rules.check_request(holiday())
    assert verdict.ok
    assert verdict.school_days == 5
    assert verdict.notes == []


def test_holiday_leave_of_more_than_ten_school_days_is_refused():
    verdict = rules.check_request(holiday(end=D(2027, 2, 16)))  # 12 school days
    assert verdict.error_codes() == {"too_many_days"}
    assert "12" in verdict.errors["end_date"][0].messages[0]


def test_holiday_leave_counts_school_days_not_calendar_days():
    """Eleven weekdays with a study day among them are ten school days: allowed."""
    days = tuple(d for d in weekdays(D(2027, 2, 1), D(2027, 2, 15)) if d != D(2027, 2, 10))
    verdict = rules.check_request(holiday(end=D(2027, 2, 15), school_days=days))
    assert verdict.ok
    assert verdict.school_days == 10


def test_holiday_leave_in_the_first_two_school_weeks_is_refused():
    verdict = rules.check_request(holiday(D(2026, 8, 14), D(2026, 8, 19), today=D(2026, 6, 1),
                                          school_days=weekdays(D(2026, 8, 14),
                                                               D(2026, 8, 19))))
    assert "first_school_weeks" in verdict.error_codes()


def test_holiday_leave_right_after_the_first_two_school_weeks_is_allowed():
    verdict = rules.check_request(holiday(D(2026, 8, 17), D(2026, 8, 19), today=D(2026, 6, 1),
                                          school_days=weekdays(D(2026, 8, 17),
                                                               D(2026, 8, 19))))
    assert verdict.ok


def test_holiday_leave_once_per_school_year():
    verdict = rules.check_request(holiday(other_holiday_leave=True))
    assert verdict.error_codes() == {"once_per_year"}


def test_holiday_leave_needs_the_employers_statement():
    verdict = rules.check_request(holiday(upload=None))
    assert verdict.error_codes() == {"statement_missing"}
    assert "statement" in verdict.errors


def test_holiday_leave_less_than_eight_weeks_ahead_is_a_warning_not_a_refusal():
    verdict = rules.check_request(holiday(D(2026, 12, 7), D(2026, 12, 9)))
    assert verdict.ok
    assert [code for code, _text in verdict.notes] == ["short_notice"]


def test_holiday_leave_exactly_eight_weeks_ahead_has_no_warning():
    start = TODAY + dt.timedelta(weeks=8)
    verdict = rules.check_request(holiday(start, start + dt.timedelta(days=2)))
    assert verdict.ok
    assert verdict.notes == []


def test_the_last_day_before_the_first_is_refused():
    verdict = rules.check_request(facts(start=D(2026, 11, 25), end=D(2026, 11, 23),
                                        school_days=()))
    assert verdict.error_codes() == {"end_before_start"}


def test_days_in_the_past_are_refused():
    verdict = rules.check_request(facts(start=D(2026, 11, 17)))
    assert verdict.error_codes() == {"in_the_past"}


def test_today_itself_may_be_asked_for():
    assert rules.check_request(facts(start=TODAY)).ok


@pytest.mark.parametrize("school_year", [None, (D(2025, 8, 1), D(2026, 7, 31))])
def test_dates_outside_the_school_year_are_refused(school_year):
    verdict = rules.check_request(facts(school_year=school_year))
    assert verdict.error_codes() == {"outside_school_year"}


def test_leave_that_runs_past_the_end_of_the_school_year_is_refused():
    verdict = rules.check_request(facts(start=D(2027, 7, 26), end=D(2027, 8, 3),
                                        school_days=weekdays(D(2027, 7, 26), D(2027, 7, 31))))
    assert verdict.error_codes() == {"outside_school_year"}
    assert "end_date" in verdict.errors


def test_a_period_without_school_days_needs_no_leave():
    verdict = rules.check_request(facts(start=D(2026, 11, 21), end=D(2026, 11, 22),
                                        school_days=()))
    assert verdict.error_codes() == {"no_school_days"}


def test_days_already_asked_for_are_refused():
    verdict = rules.check_request(facts(overlapping=((D(2026, 11, 25), D(2026, 11, 27)),)))
    assert verdict.error_codes() == {"overlap"}
    assert "25-11-2026" in verdict.errors["start_date"][0].messages[0]


def test_a_reason_is_needed():
    verdict = rules.check_request(facts(reason="   "))
    assert verdict.error_codes() == {"reason_missing"}


def test_several_problems_are_all_named_at_once():
    verdict = rules.check_request(holiday(end=D(2027, 2, 16), upload=None, reason="",
                                          other_holiday_leave=True))
    assert verdict.error_codes() == {"too_many_days", "statement_missing", "reason_missing",
                                     "once_per_year"}


@pytest.mark.parametrize(("head", "expected"), [
    (b"%PDF-1.4\n", ("application/pdf", ".pdf")),
    (b"\x89PNG\r\n\x1a\n\x00\x00", ("image/png", ".png")),
    (b"\xff\xd8\xff\xe1\x00", ("image/jpeg", ".jpg")),
    (b"GIF89a", None),
    (b"PK\x03\x04", None),  # a Word document or a zip
    (b"MZ\x90\x00", None),  # a Windows program
    (b"<html>", None),
    (b"", None),
])
def test_the_file_type_comes_from_the_content(head, expected):
    assert rules.file_type(head) == expected


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused():
    verdict = rules.check_request(facts(upload=rules.Upload("verklaring.pdf", 200,
                                                            b"Dit is tekst")))
    assert verdict.error_codes() == {"file_type"}


def test_a_real_pdf_with_another_name_is_accepted():
    verdict = rules.check_request(facts(upload=rules.Upload("scan.dat", 200, b"%PDF-1.7")))
    assert verdict.ok


def test_a_file_larger_than_five_megabytes_is_refused():
    big = rules.Upload("verklaring.pdf", rules.MAX_FILE_BYTES + 1, b"%PDF-1.7")
    assert rules.check_request(facts(upload=big)).error_codes() == {"file_too_large"}
    exact = rules.Upload("verklaring.pdf", rules.MAX_FILE_BYTES, b"%PDF-1.7")
    assert rules.check_request(facts(upload=exact)).ok


def test_an_empty_file_is_refused():
    empty = rules.Upload("verklaring.pdf", 0, b"")
    assert rules.check_request(facts(upload=empty)).error_codes() == {"file_type"}
