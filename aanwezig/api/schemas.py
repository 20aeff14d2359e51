"""The API's request and response shapes (pydantic, through django-ninja)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema


class ErrorBody(Schema):
    code: str = Field(description="A stable, machine-readable code, e.g. not_found, invalid.")
    message: str = Field(description="A sentence for people (English).")
    details: Any = Field(None, description="More about the error: the invalid fields, limits.")


class Error(Schema):
    """Every 4xx and 5xx answer has this shape."""

    error: ErrorBody


class Page(Schema):
    count: int = Field(description="How many items there are in all.")
    limit: int
    offset: int
    next_offset: int | None = Field(description="The offset of the next page, or null.")


class StudentOut(Schema):
    id: int
    school_key: str = Field(description="The student number at the school.")
    given_name: str
    prefix: str
    last_name: str
    full_name: str
    birth_date: dt.date
    sector: str
    enrolment_start: dt.date
    enrolment_end: dt.date | None


class StudentPage(Page):
    items: list[StudentOut]


class GroupOut(Schema):
    id: int
    name: str
    kind: str
    year_level: int | None
    school_year: str
    external_key: str


class GroupPage(Page):
    items: list[GroupOut]


class LessonOut(Schema):
    id: int
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    group_id: int
    subject: str
    room: str
    teacher_id: int | None
    status: str
    has_register: bool


class LessonPage(Page):
    items: list[LessonOut]


class MarkOut(Schema):
    student_id: int
    status: str
    reason_code: str | None
    minutes_late: int | None
    source: str


class RegistrationOut(Schema):
    id: int
    lesson_id: int
    date: dt.date
    taken_at: dt.datetime
    updated_at: dt.datetime
    marks: list[MarkOut] = Field(description="Students without a mark were present.")


class RegistrationPage(Page):
    items: list[RegistrationOut]


class MarkIn(Schema):
    student_id: int
    status: Literal["absent", "late", "removed"] | None = Field(
        None, description="Leave out or null for present.")
    reason_code: str | None = None
    minutes_late: int | None = Field(None, ge=0, le=600)


class RegisterIn(Schema):
    marks: list[MarkIn] = Field(
        description="The whole register: students left out were present.", max_length=500)


class RegisterResultOut(Schema):
    registration: RegistrationOut
    created: int
    updated: int
    removed: int
    unchanged: int


class AbsenceOut(Schema):
    id: int
    student_id: int
    reason_code: str
    start_date: dt.date
    start_time: dt.time | None
    end_date: dt.date | None
    end_time: dt.time | None
    expected_end: dt.date | None
    source: str
    withdrawn: bool


class AbsencePage(Page):
    items: list[AbsenceOut]


class SickReportIn(Schema):
    student_id: int
    start_date: dt.date
    start_time: dt.time | None = None
    expected_end: dt.date | None = None
    reason_code: str = Field("ziek", description="The school's reason code; default: sick.")


class SignalOut(Schema):
    student_key: str
    step: str = Field(description="The protocol step's key.")
    title: str
    window_start: str
    reached_on: str
    figures: Any
    explanation: Any
    fired: bool = Field(description="Whether the step has already fired for this window.")
    protocol_version: int


class SignalPage(Page):
    items: list[SignalOut]


class DuoReportOut(Schema):
    student_key: str
    kind: str
    start_date: dt.date
    end_date: dt.date
    hours: float
    due_date: dt.date
    mandatory: bool


class DuoReportPage(Page):
    items: list[DuoReportOut]


class DossierOut(Schema):
    id: int
    student_id: int
    kind: str
    status: str
    start_date: dt.date
    end_date: dt.date
    due_on: dt.date
    hours: float


class DossierPage(Page):
    items: list[DossierOut]
