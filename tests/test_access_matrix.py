"""Every URL of the project, asked by every persona, for objects of schools A, B and C.

The matrix below names, per URL, the objects it is filled with and the status each
persona must get. A named URL without an entry fails the suite, so every new page
has to say who may open it. Every response is also searched for the names of
students the persona may not see.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import TODAY

PERSONAS = [
    "anonymous",
    "teacher_a",
    "mentor_a",
    "officer_a",
    "admin_a",
    "parent_user",
    "adult_user",
    "adult_parent_user",
    "teacher_b",
]

ALL_STUDENTS = {"Sam Jansen", "Noor Bakker", "Daan Visser", "Lotte Smit", "Yusuf Demir"}

#: The students each persona may ever see; every other student's name must never appear.
MAY_SEE: dict[str, set[str]] = {
    "anonymous": set(),
    "teacher_a": {"Sam Jansen", "Noor Bakker"},
    "mentor_a": {"Daan Visser"},
    "officer_a": {"Sam Jansen", "Noor Bakker", "Daan Visser"},
    "admin_a": {"Sam Jansen", "Noor Bakker", "Daan Visser"},
    "parent_user": {"Sam Jansen"},
    "adult_user": {"Yusuf Demir"},
    "adult_parent_user": set(),  # Yusuf is 19 and has not given consent
    "teacher_b": {"Lotte Smit"},
}

#: Words that must not appear for a persona at all (first names alone leak too).
NEVER_WORDS: dict[str, set[str]] = {
    "adult_parent_user": {"Yusuf"},
    "teacher_b": {"Sam", "Noor", "Daan"},
    "parent_user": {"Noor", "Daan"},
}

LOGIN = "login"
OK, FOUND, NOT_FOUND = 200, 302, 404


@dataclass
class Case:
    """One URL filled with objects (``kwargs``), the method, and the expected status per persona.

    ``expect`` maps persona → status; personas not named get ``default``. A status of
    302 means "redirect to ``redirect_to``" (the login page unless said otherwise): a URL
    name, or a function of the world that returns the expected path.
    """

    label: str
    kwargs: Callable[[Any], dict[str, Any]] = lambda w: {}
    expect: dict[str, int] = field(default_factory=dict)
    default: int = NOT_FOUND
    anonymous: int = FOUND
    method: str = "get"
    redirect_to: dict[str, str | Callable[[Any], str]] = field(default_factory=dict)

    def status_for(self, persona: str) -> int:
        if persona == "anonymous":
            return self.anonymous
        return self.expect.get(persona, self.default)


A_STAFF = {"teacher_a": OK, "mentor_a": OK, "officer_a": OK, "admin_a": OK}


def school(key: str) -> Callable[[Any], dict[str, int]]:
    return lambda w: {"school_id": getattr(w, f"school_{key}").pk}


def school_obj(key: str, obj: str) -> Callable[[Any], dict[str, int]]:
    return lambda w: {"school_id": getattr(w, f"school_{key}").pk, "pk": getattr(w, obj).pk}


def page_of(name: str, key: str, obj: str | None = None) -> Callable[[Any], str]:
    """The path a POST redirects back to: ``name`` for school ``key`` (and object ``obj``)."""
    def path(w: Any) -> str:
        args = [getattr(w, f"school_{key}").pk] + ([getattr(w, obj).pk] if obj else [])
        return reverse(name, args=args)
    return path


def sick_report_of_sam(w: Any) -> dict[str, int]:
    """An open sick report for Sam (made once per world), for the "report better" action."""
    from aanwezig.attendance.defaults import create_default_absence_reasons
    from aanwezig.attendance.models import AbsenceReport

    if not hasattr(w, "sams_report"):
        reasons = create_default_absence_reasons(w.school_a)
        w.sams_report = AbsenceReport.objects.create(
            school=w.school_a, student=w.child_a, reason=reasons["ziek"], start_date=TODAY,
            source="office", created_at=dt.datetime(2026, 11, 18, 8, tzinfo=dt.UTC),
        )
    return {"school_id": w.school_a.pk, "pk": w.child_a.pk, "report_pk": w.sams_report.pk}


def reply_to_sams_message(w: Any) -> dict[str, int]:
    """A parent's reply about Sam (made once per world), for the "handled" action."""
    from aanwezig.notifications.models import Message, Reply

    if not hasattr(w, "sams_reply"):
        now = dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC)
        message = Message.objects.create(
            school=w.school_a, event="unexplained_absence", channel="email", student=w.child_a,
            recipient_kind="guardian", guardian=w.parent, address="ouder@example.test",
            language="nl", subject="We missen Sam vandaag", body_text="...",
            dedupe_key="matrix", next_attempt_at=now, created_at=now,
        )
        w.sams_reply = Reply.objects.create(school=w.school_a, message=message,
                                            student=w.child_a, guardian=w.parent,
                                            body="Sam is ziek.", received_at=now)
    return {"school_id": w.school_a.pk, "pk": w.sams_reply.pk}


def letter_batch_of_a(w: Any) -> dict[str, int]:
    """A printed letter batch of school A with its PDF on disk (made once per world)."""
    from django.conf import settings

    from aanwezig.notifications.models import LetterBatch

    if not hasattr(w, "batch_a"):
        now = dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC)
        w.batch_a = LetterBatch.objects.create(school=w.school_a, created_at=now, count=1,
                                               pdf=f"matrix/{w.school_a.pk}.pdf")
        path = settings.LETTERS_DIR / w.batch_a.pdf
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.7 matrix")
    return {"school_id": w.school_a.pk, "pk": w.batch_a.pk}


A_WIDE = {"officer_a": OK, "admin_a": OK}


MATRIX: dict[str, list[Case]] = {
    "home": [
        Case("public", default=OK, anonymous=OK,
             expect={p: FOUND for p in PERSONAS if p != "anonymous"},
             redirect_to=dict.fromkeys(PERSONAS, "start")),
    ],
    "login": [
        Case("form", default=FOUND, anonymous=OK, redirect_to=dict.fromkeys(PERSONAS, "start")),
    ],
    "logout": [
        Case("post", default=FOUND, anonymous=FOUND, method="post",
             redirect_to=dict.fromkeys(PERSONAS, "home")),
    ],
    "start": [Case("own", default=OK)],
    "school": [
        Case("A", school("a"), A_STAFF),
        Case("B", school("b"), {"teacher_b": OK}),
        Case("C", school("c")),
        Case("missing", lambda w: {"school_id": 999_999}),
    ],
    "groups": [
        Case("A", school("a"), A_STAFF),
        Case("B", school("b"), {"teacher_b": OK}),
        Case("C", school("c")),
    ],
    "calendar": [
        Case("A", school("a"), A_STAFF),
        Case("B", school("b"), {"teacher_b": OK}),
        Case("C", school("c")),
    ],
    "group": [
        Case("A:1A", school_obj("a", "a1"), {"teacher_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("A:2B", school_obj("a", "a2"), {"mentor_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("B:1B", school_obj("b", "b1"), {"teacher_b": OK}),
        Case("C:ZORG-2", school_obj("c", "c1")),
        Case("A with B's group", school_obj("a", "b1")),
        Case("B with A's group", school_obj("b", "a1")),
    ],
    "student": [
        Case("A:Sam", school_obj("a", "child_a"), {"teacher_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("A:Daan", school_obj("a", "other_a"), {"mentor_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("B:Lotte", school_obj("b", "student_b"), {"teacher_b": OK}),
        Case("C:Yusuf", school_obj("c", "adult")),
        Case("A with B's student", school_obj("a", "student_b")),
        Case("B with A's student", school_obj("b", "child_a")),
        Case("missing", lambda w: {"school_id": w.school_a.pk, "pk": 999_999}),
    ],
    "lesson": [
        Case("A:1A", school_obj("a", "lesson_a"), {"teacher_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("A:2B", school_obj("a", "lesson_a2"), {"mentor_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("B:1B", school_obj("b", "lesson_b"), {"teacher_b": OK}),
        Case("C", school_obj("c", "lesson_c")),
        Case("A with B's lesson", school_obj("a", "lesson_b")),
        Case("A:1A save", school_obj("a", "lesson_a"),
             {"teacher_a": FOUND, "officer_a": FOUND, "admin_a": FOUND}, method="post",
             redirect_to=dict.fromkeys(["teacher_a", "officer_a", "admin_a"],
                                       page_of("lesson", "a", "lesson_a"))),
        Case("A:2B save", school_obj("a", "lesson_a2"),
             {"mentor_a": FOUND, "officer_a": FOUND, "admin_a": FOUND}, method="post",
             redirect_to=dict.fromkeys(["mentor_a", "officer_a", "admin_a"],
                                       page_of("lesson", "a", "lesson_a2"))),
        Case("B:1B save", school_obj("b", "lesson_b"), {"teacher_b": FOUND}, method="post",
             redirect_to={"teacher_b": page_of("lesson", "b", "lesson_b")}),
    ],
    "missing_registers": [
        Case("A", school("a"), A_WIDE),
        Case("B", school("b")),
        Case("C", school("c")),
    ],
    "desk": [
        Case("A", school("a"), A_WIDE),
        Case("B", school("b")),
        Case("C", school("c")),
    ],
    "desk_call": [
        Case("A:Sam", school_obj("a", "child_a"), {"officer_a": FOUND, "admin_a": FOUND},
             method="post", redirect_to=dict.fromkeys(["officer_a", "admin_a"],
                                                      page_of("desk", "a"))),
        Case("C:Yusuf", school_obj("c", "adult"), method="post"),
        Case("A with B's student", school_obj("a", "student_b"), method="post"),
    ],
    "sick_report": [
        Case("A:Sam", school_obj("a", "child_a"), {"officer_a": FOUND, "admin_a": FOUND},
             method="post", redirect_to=dict.fromkeys(["officer_a", "admin_a"],
                                                      page_of("student", "a", "child_a"))),
        Case("A:Daan (mentor's group)", school_obj("a", "other_a"),
             dict.fromkeys(["mentor_a", "officer_a", "admin_a"], FOUND), method="post",
             redirect_to=dict.fromkeys(["mentor_a", "officer_a", "admin_a"],
                                       page_of("student", "a", "other_a"))),
        Case("C:Yusuf", school_obj("c", "adult"), method="post"),
        Case("B:Lotte", school_obj("b", "student_b"), method="post"),
    ],
    "report_better": [
        Case("A:Sam's report", sick_report_of_sam, {"officer_a": FOUND, "admin_a": FOUND},
             method="post", redirect_to=dict.fromkeys(["officer_a", "admin_a"],
                                                      page_of("student", "a", "child_a"))),
        Case("B with A's report", lambda w: {**sick_report_of_sam(w),
                                             "school_id": w.school_b.pk}, method="post"),
    ],
    "student_messages": [
        Case("A:Sam", school_obj("a", "child_a"), A_WIDE),
        Case("A:Daan", school_obj("a", "other_a"), A_WIDE),
        Case("B:Lotte", school_obj("b", "student_b")),
        Case("A with B's student", school_obj("a", "student_b")),
    ],
    "guardian_messages": [
        Case("A:Sam's parent", school_obj("a", "parent"), A_WIDE),
        Case("A:Yusuf's parent (school C)", school_obj("a", "adult_parent")),
        Case("B with A's parent", school_obj("b", "parent")),
    ],
    "reach": [
        Case("A", school("a"), A_WIDE),
        Case("B", school("b")),
        Case("C", school("c")),
    ],
    "message_preview": [
        Case("A", school("a"), A_WIDE),
        Case("B", school("b")),
        Case("A save", school("a"), {"admin_a": FOUND}, method="post",
             redirect_to={"admin_a": page_of("message_preview", "a")}),
        Case("B save", school("b"), method="post"),
    ],
    "letter_batches": [
        Case("A", school("a"), A_WIDE),
        Case("B", school("b")),
        Case("A print (nothing waiting)", school("a"), {"officer_a": FOUND, "admin_a": FOUND},
             method="post", redirect_to=dict.fromkeys(["officer_a", "admin_a"],
                                                      page_of("letter_batches", "a"))),
        Case("B print", school("b"), method="post"),
    ],
    "letter_batch_pdf": [
        Case("A's batch", letter_batch_of_a, A_WIDE),
        Case("B with A's batch", lambda w: {**letter_batch_of_a(w), "school_id": w.school_b.pk}),
    ],
    "reply_handled": [
        Case("A:Sam's reply", reply_to_sams_message, {"officer_a": FOUND, "admin_a": FOUND},
             method="post", redirect_to=dict.fromkeys(["officer_a", "admin_a"],
                                                      lambda w: reverse(
                                                          "student_messages",
                                                          args=[w.school_a.pk, w.child_a.pk]))),
        Case("B with A's reply", lambda w: {**reply_to_sams_message(w),
                                            "school_id": w.school_b.pk}, method="post"),
    ],
    "child": [
        Case("Sam", lambda w: {"pk": w.child_a.pk}, {"parent_user": FOUND},
             redirect_to={"parent_user": lambda w: reverse("portal_child", args=[w.child_a.pk])}),
        Case("Noor", lambda w: {"pk": w.classmate_a.pk}),
        Case("Yusuf without consent", lambda w: {"pk": w.adult.pk}),
        Case("Lotte", lambda w: {"pk": w.student_b.pk}),
    ],
}

# --- cases and tasks ---------------------------------------------------------------------------


def case_world(w: Any) -> Any:
    """Sam's case (school-wide roles only: Sam's group has no mentor) with an agreement and two
    officer tasks, and Daan's case (mentor_a's mentee) with a mentor task; made once per world."""
    from aanwezig.protocol import cases
    from aanwezig.schools.models import Role

    if not hasattr(w, "sams_case"):
        w.sams_case = cases.open_or_escalate_case(w.child_a, title="Sam", role=Role.MENTOR)
        w.daans_case = cases.open_or_escalate_case(w.other_a, title="Daan", role=Role.MENTOR)
        w.sams_agreement = cases.add_agreement(w.sams_case, text="Op tijd", party="student",
                                               review_on=TODAY, actor=None)
        w.task_to_do, w.task_to_cancel = (
            cases.create_task(w.school_a, kind="other", role=Role.ATTENDANCE_OFFICER,
                              title=title, case=w.sams_case) for title in ("Bel", "Weg"))
        w.daans_task = cases.create_task(w.school_a, kind="phone_parents", role=Role.MENTOR,
                                         title="Bel Daans ouders", case=w.daans_case)
    return w


def in_school(key: str, obj: str, **extra: str) -> Callable[[Any], dict[str, int]]:
    """Fill a case URL: school ``key`` and object ``obj`` of the case world (``extra`` too)."""
    def kwargs(w: Any) -> dict[str, int]:
        w = case_world(w)
        return {"school_id": getattr(w, f"school_{key}").pk, "pk": getattr(w, obj).pk,
                **{k: getattr(w, v).pk for k, v in extra.items()}}
    return kwargs


def case_page(obj: str) -> Callable[[Any], str]:
    return lambda w: reverse("case", args=[w.school_a.pk, getattr(case_world(w), obj).pk])


BAD_INPUT = 400  # allowed through the gatekeeper; the empty form is refused
A_CASES = {"mentor_a": OK, "officer_a": OK, "admin_a": OK}

MATRIX.update({
    "cases": [
        Case("A", school("a"), A_CASES),
        Case("B", school("b")),
        Case("C", school("c")),
    ],
    "tasks": [
        Case("A", school("a"), A_CASES),
        Case("B", school("b")),
    ],
    "student_cases": [
        Case("A:Sam", school_obj("a", "child_a"), A_WIDE),
        Case("A:Daan", school_obj("a", "other_a"), A_CASES),
        Case("A:Daan, empty form", school_obj("a", "other_a"),
             dict.fromkeys(A_CASES, BAD_INPUT), method="post"),
        Case("A with B's student", school_obj("a", "student_b")),
        Case("C:Yusuf", school_obj("c", "adult")),
    ],
    "case": [
        Case("A:Sam's case", in_school("a", "sams_case"), A_WIDE),
        Case("A:Daan's case", in_school("a", "daans_case"), A_CASES),
        Case("B with A's case", in_school("b", "sams_case")),
        Case("missing", lambda w: {"school_id": w.school_a.pk, "pk": 999_999}),
    ],
    "case_conversation": [
        Case("A:Sam's case", in_school("a", "sams_case"), dict.fromkeys(A_WIDE, BAD_INPUT),
             method="post"),
        Case("A:Daan's case", in_school("a", "daans_case"), dict.fromkeys(A_CASES, BAD_INPUT),
             method="post"),
        Case("B with A's case", in_school("b", "sams_case"), method="post"),
    ],
    "case_agreement": [
        Case("A:Sam's case", in_school("a", "sams_case"), dict.fromkeys(A_WIDE, BAD_INPUT),
             method="post"),
        Case("B with A's case", in_school("b", "sams_case"), method="post"),
    ],
    "case_review": [
        Case("A:Sam's agreement", in_school("a", "sams_case", agreement_pk="sams_agreement"),
             dict.fromkeys(A_WIDE, BAD_INPUT), method="post"),
        Case("A:Daan's case with Sam's agreement",
             in_school("a", "daans_case", agreement_pk="sams_agreement"), method="post"),
    ],
    "case_partner": [
        Case("A:Sam's case", in_school("a", "sams_case"), dict.fromkeys(A_WIDE, BAD_INPUT),
             method="post"),
        Case("A:Daan's case (not for mentors)", in_school("a", "daans_case"),
             dict.fromkeys(A_WIDE, BAD_INPUT), method="post"),
    ],
    "case_note": [
        Case("A:Sam's case", in_school("a", "sams_case"), dict.fromkeys(A_WIDE, BAD_INPUT),
             method="post"),
        Case("A:Daan's case", in_school("a", "daans_case"), dict.fromkeys(A_CASES, BAD_INPUT),
             method="post"),
        Case("B with A's case", in_school("b", "sams_case"), method="post"),
    ],
    "case_close": [
        Case("A:Sam's case", in_school("a", "sams_case"), A_WIDE),
        Case("A:Daan's case", in_school("a", "daans_case"), A_CASES),
        Case("B with A's case", in_school("b", "sams_case")),
    ],
    "task_done": [
        Case("A:officer's task", in_school("a", "task_to_do"), {"officer_a": FOUND},
             method="post", redirect_to={"officer_a": case_page("sams_case")}),
        Case("A:mentor's task about Daan", in_school("a", "daans_task"), {"mentor_a": FOUND},
             method="post", redirect_to={"mentor_a": case_page("daans_case")}),
        Case("B with A's task", in_school("b", "task_to_do"), method="post"),
    ],
    "task_cancel": [
        Case("A:officer's task", in_school("a", "task_to_cancel"),
             {"officer_a": FOUND, "admin_a": FOUND}, method="post",
             redirect_to=dict.fromkeys(["officer_a", "admin_a"], case_page("sams_case"))),
        Case("A:mentor's task about Daan (not for mentors)", in_school("a", "daans_task"),
             {"officer_a": FOUND, "admin_a": FOUND}, method="post",
             redirect_to=dict.fromkeys(["officer_a", "admin_a"], case_page("daans_case"))),
    ],
    "partner_cases": [Case("own")],
    "partner_case": [
        Case("Sam's case, shared with nobody",
             lambda w: {"pk": case_world(w).sams_case.pk}),
    ],
})

# --- DUO reports ---------------------------------------------------------------------------------
def duo_dossier_of(key: str, student: str) -> Callable[[Any], dict[str, int]]:
    """A proposed DUO dossier of ``student`` at school ``key`` (made once per world)."""
    def kwargs(w: Any) -> dict[str, int]:
        from aanwezig.protocol.dossiers import propose_dossier

        attr = f"duo_{key}_{student}"
        if not hasattr(w, attr):
            setattr(w, attr, propose_dossier(
                getattr(w, student), kind="luxury", start_date=dt.date(2026, 11, 16),
                end_date=dt.date(2026, 11, 17), hours=0, due_on=dt.date(2026, 11, 24)))
        return {"school_id": getattr(w, f"school_{key}").pk, "pk": getattr(w, attr).pk}
    return kwargs


def duo_page(name: str) -> Callable[[Any], str]:
    return lambda w: reverse(name, args=[w.school_a.pk, duo_dossier_of("a", "child_a")(w)["pk"]])


A_WIDE_FOUND = {"officer_a": FOUND, "admin_a": FOUND}
MATRIX.update({
    "duo_overview": [
        Case("A", school("a"), A_WIDE),
        Case("B", school("b")),
        Case("C", school("c")),
    ],
    "duo_export": [
        Case("A", school("a"), A_WIDE),
        Case("B", school("b")),
    ],
    "duo_prepare": [
        Case("A:Sam (nothing to prepare)", school_obj("a", "child_a"), A_WIDE_FOUND,
             method="post", redirect_to=dict.fromkeys(A_WIDE, page_of("duo_overview", "a"))),
        Case("A with B's student", school_obj("a", "student_b"), method="post"),
        Case("B:Lotte", school_obj("b", "student_b"), method="post"),
    ],
    "duo_dossier": [
        Case("A:Sam's dossier", duo_dossier_of("a", "child_a"), A_WIDE),
        Case("B with A's dossier", lambda w: {**duo_dossier_of("a", "child_a")(w),
                                              "school_id": w.school_b.pk}),
        Case("A with B's dossier", lambda w: {**duo_dossier_of("b", "student_b")(w),
                                              "school_id": w.school_a.pk}),
        Case("B:Lotte's dossier", duo_dossier_of("b", "student_b")),
        Case("A:Sam's dossier save", duo_dossier_of("a", "child_a"), A_WIDE_FOUND,
             method="post", redirect_to=dict.fromkeys(A_WIDE, duo_page("duo_dossier"))),
        Case("B:Lotte's dossier save", duo_dossier_of("b", "student_b"), method="post"),
    ],
    "duo_dossier_send": [
        Case("A:Sam's dossier (incomplete)", duo_dossier_of("a", "child_a"), A_WIDE_FOUND,
             method="post", redirect_to=dict.fromkeys(A_WIDE, duo_page("duo_dossier"))),
        Case("B with A's dossier", lambda w: {**duo_dossier_of("a", "child_a")(w),
                                              "school_id": w.school_b.pk}, method="post"),
    ],
    "duo_dossier_status": [
        Case("A:Sam's dossier (no status)", duo_dossier_of("a", "child_a"), A_WIDE_FOUND,
             method="post", redirect_to=dict.fromkeys(A_WIDE, duo_page("duo_dossier"))),
        Case("B:Lotte's dossier", duo_dossier_of("b", "student_b"), method="post"),
    ],
    # HEAD: the test client drops the body, which is binary PDF (tested in test_dossier_pages).
    "duo_dossier_pdf": [
        Case("A:Sam's dossier", duo_dossier_of("a", "child_a"), A_WIDE, method="head"),
        Case("B with A's dossier", lambda w: {**duo_dossier_of("a", "child_a")(w),
                                              "school_id": w.school_b.pk}, method="head"),
        Case("B:Lotte's dossier", duo_dossier_of("b", "student_b"), method="head"),
    ],
    "duo_dossier_copy": [
        Case("A:Sam's dossier", duo_dossier_of("a", "child_a"), A_WIDE),
        Case("A with B's dossier", lambda w: {**duo_dossier_of("b", "student_b")(w),
                                              "school_id": w.school_a.pk}),
    ],
})

# --- the protocol: editing, preview, where do we stand -----------------------------------------
def protocol_step_of(key: str, step: str, *extra: str) -> Callable[[Any], dict[str, Any]]:
    """A step of school ``key``'s protocol (``extra``: the change, for the change page)."""
    def kwargs(w: Any) -> dict[str, Any]:
        found = {"school_id": getattr(w, f"school_{key}").pk, "key": step}
        return {**found, "change": extra[0]} if extra else found
    return kwargs


REFUSED = 400  # an empty form posted by someone who may edit: shown again with its errors


def school_b_own_protocol(w: Any) -> dict[str, int]:
    """School B with a protocol of its own (made once per world). The default texts say
    "Samen ..." ("together"), which the first-name check would take for Sam."""
    from aanwezig.protocol.defaults import default_steps
    from aanwezig.protocol.services import save_protocol_version

    if not hasattr(w, "protocol_b"):
        steps = default_steps(w.school_b.sector)
        for step in steps:
            step["texts"] = {lang: text.replace("Samen", "Met elkaar")
                             for lang, text in step["texts"].items()}
        w.protocol_b = save_protocol_version(w.school_b, steps, actor=None, note="eigen tekst")
    return {"school_id": w.school_b.pk}

MATRIX.update({
    "protocol": [
        Case("A", school("a"), A_STAFF),
        Case("B", school_b_own_protocol, {"teacher_b": OK}),
        Case("C", school("c")),
    ],
    "protocol_history": [
        Case("A", school("a"), A_STAFF),
        Case("B", school_b_own_protocol, {"teacher_b": OK}),
        Case("C", school("c")),
    ],
    "protocol_steps": [
        Case("A", school("a"), {"admin_a": OK}),
        Case("B", school("b")),
    ],
    "protocol_step_new": [
        Case("A", school("a"), {"admin_a": OK}),
        Case("B", school("b")),
    ],
    "protocol_step": [
        Case("A:hours-6", protocol_step_of("a", "hours-6"), {"admin_a": OK}),
        Case("A:hours-6 empty save", protocol_step_of("a", "hours-6"), {"admin_a": REFUSED},
             method="post"),
        Case("A:no such step", protocol_step_of("a", "nope")),
        Case("B:hours-6", protocol_step_of("b", "hours-6")),
        Case("B:hours-6 save", protocol_step_of("b", "hours-6"), method="post"),
    ],
    "protocol_step_change": [
        Case("A:late-3 off", protocol_step_of("a", "late-3", "uit"), {"admin_a": OK}),
        Case("A:late-3 off without note", protocol_step_of("a", "late-3", "uit"),
             {"admin_a": REFUSED}, method="post"),
        Case("B:late-3 off", protocol_step_of("b", "late-3", "uit"), method="post"),
    ],
    "student_standing": [
        Case("A:Sam", school_obj("a", "child_a"),
             {"teacher_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("A:Daan", school_obj("a", "other_a"),
             {"mentor_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("B:Lotte", lambda w: {**school_b_own_protocol(w), "pk": w.student_b.pk},
             {"teacher_b": OK}),
        Case("C:Yusuf", school_obj("c", "adult")),
        Case("A with B's student", school_obj("a", "student_b")),
        Case("missing", lambda w: {"school_id": w.school_a.pk, "pk": 999_999}),
    ],
})

# --- portal: signing in, invitations, preferences -----------------------------------------------


def sign_in_link_of_sams_parent(w: Any) -> dict[str, Any]:
    """A working sign-in link of Sam's parent (made once per world); GET only shows a button."""
    from django.utils import timezone

    from aanwezig.portal import signin
    from aanwezig.portal.models import TokenPurpose

    if not hasattr(w, "parent_link"):
        w.parent_link = signin._new_token(w.parent_user, TokenPurpose.LOGIN, timezone.now())[1]
    return {"token": w.parent_link}


SIGNIN_PEOPLE = {"parent_user": OK, "adult_user": OK, "adult_parent_user": OK}
SIGNIN_PEOPLE_REFUSED = dict.fromkeys(SIGNIN_PEOPLE, REFUSED)

MATRIX.update({
    "portal_signin": [
        Case("form", default=FOUND, anonymous=OK, redirect_to=dict.fromkeys(PERSONAS, "start")),
        Case("empty request", default=FOUND, anonymous=REFUSED, method="post",
             redirect_to=dict.fromkeys(PERSONAS, "start")),
    ],
    "portal_signin_sent": [Case("page", default=OK, anonymous=OK)],
    "portal_link": [
        Case("unknown link", lambda w: {"token": "onbekend"}, default=OK, anonymous=OK),
        Case("unknown link used", lambda w: {"token": "onbekend"}, default=OK, anonymous=OK,
             method="post"),
        Case("Sam's parent's link", sign_in_link_of_sams_parent, default=OK, anonymous=OK),
    ],
    "portal_preferences": [
        Case("own", expect=SIGNIN_PEOPLE),
        Case("empty save", expect=SIGNIN_PEOPLE_REFUSED, method="post"),
    ],
    "portal_password": [
        Case("empty save", expect=SIGNIN_PEOPLE_REFUSED, method="post"),
    ],
    "portal_invite_family": [
        Case("A:Sam", school_obj("a", "child_a"), {"officer_a": FOUND, "admin_a": FOUND},
             method="post", redirect_to=dict.fromkeys(["officer_a", "admin_a"],
                                                      page_of("student", "a", "child_a"))),
        Case("A:Daan (mentor's group)", school_obj("a", "other_a"),
             {"officer_a": FOUND, "admin_a": FOUND}, method="post",
             redirect_to=dict.fromkeys(["officer_a", "admin_a"],
                                       page_of("student", "a", "other_a"))),
        Case("C:Yusuf", school_obj("c", "adult"), method="post"),
        Case("A with B's student", school_obj("a", "student_b"), method="post"),
    ],
})

# --- portal: the child's pages, where do we stand ----------------------------------------------


def child_cases() -> list[Case]:
    """A child page for Sam (his parent only), a classmate, an adult without consent, and a
    child of the other board: the same 404 for everyone else, staff included."""
    return [
        Case("Sam", lambda w: {"pk": w.child_a.pk}, {"parent_user": OK}),
        Case("Noor", lambda w: {"pk": w.classmate_a.pk}),
        Case("Yusuf without consent", lambda w: {"pk": w.adult.pk}),
        Case("Lotte", lambda w: {"pk": w.student_b.pk}),
        Case("missing", lambda w: {"pk": 999_999}),
    ]


MATRIX.update({
    "portal_home": [
        Case("own", expect={"parent_user": OK, "adult_parent_user": OK, "adult_user": FOUND},
             redirect_to={"adult_user": "portal_student"}),
    ],
    "portal_child": child_cases(),
    "portal_standing": child_cases(),
    "portal_protocol": child_cases(),
    "portal_contacts": child_cases(),
})

# --- portal: reporting sick, appointments, religious holidays ---------------------------------


def sam_sick(w: Any) -> dict[str, int]:
    """Sam with his open sick report (``sick_report_of_sam``): the sick page sends his parent
    on to "back to health"."""
    return {"pk": w.child_a.pk, "report_pk": sick_report_of_sam(w)["report_pk"]}


def yusufs_appointment(w: Any) -> dict[str, int]:
    """Yusuf (19) with an appointment he reported himself (made once per world)."""
    from aanwezig.attendance.defaults import create_default_absence_reasons
    from aanwezig.attendance.models import AbsenceReport

    if not hasattr(w, "yusufs_report"):
        reasons = create_default_absence_reasons(w.school_c)
        w.yusufs_report = AbsenceReport.objects.create(
            school=w.school_c, student=w.adult, reason=reasons["medisch"], start_date=TODAY,
            start_time=dt.time(9), end_date=TODAY, end_time=dt.time(10), source="student",
            created_at=dt.datetime(2026, 11, 18, 8, tzinfo=dt.UTC),
        )
    return {"pk": w.adult.pk, "report_pk": w.yusufs_report.pk}


def report_cases() -> list[Case]:
    """A report form for Sam (his parent), for Yusuf (himself; not his parent without
    consent), a classmate and a child of the other board: the same 404 for everyone else."""
    def only(key: str) -> Callable[[Any], dict[str, int]]:
        return lambda w: {"pk": getattr(w, key).pk}
    return [
        Case("Sam", only("child_a"), {"parent_user": OK}),
        Case("Yusuf", only("adult"), {"adult_user": OK}),
        Case("Noor", only("classmate_a")),
        Case("Lotte", only("student_b")),
        Case("missing", lambda w: {"pk": 999_999}),
        Case("Noor, sent", only("classmate_a"), method="post"),
    ]


MATRIX.update({
    "portal_report": [Case("own", default=OK)],
    "portal_report_sick": [
        Case("Sam, sick already", lambda w: {"pk": sam_sick(w)["pk"]}, {"parent_user": FOUND},
             redirect_to={"parent_user": lambda w: reverse("portal_report_better",
                                                           args=[w.child_a.pk])}),
        *report_cases()[1:],
    ],
    "portal_report_better": [
        Case("Sam, sick", lambda w: {"pk": sam_sick(w)["pk"]}, {"parent_user": OK}),
        Case("Yusuf, not sick", lambda w: {"pk": w.adult.pk}, {"adult_user": FOUND},
             redirect_to={"adult_user": "portal_report"}),
        *report_cases()[2:],
    ],
    "portal_report_medical": report_cases(),
    "portal_report_religious": report_cases(),
    "portal_report_done": [
        Case("Sam's sick report", sam_sick, {"parent_user": OK}),
        Case("Yusuf's appointment", yusufs_appointment, {"adult_user": OK}),
        Case("Sam's report under Yusuf", lambda w: {"pk": w.adult.pk,
                                                    "report_pk": sam_sick(w)["report_pk"]}),
        Case("Noor", lambda w: {"pk": w.classmate_a.pk, "report_pk": sam_sick(w)["report_pk"]}),
    ],
})

# --- portal: leave requests, and the school's decisions ----------------------------------------
@pytest.fixture(autouse=True)
def _leave_files_in_tmp(settings, tmp_path):
    """Statements uploaded with leave requests go to a temporary folder in these tests."""
    settings.LEAVE_FILES_DIR = tmp_path / "leave"


def leave_of(key: str, student: str, state: str) -> Callable[[Any], dict[str, int]]:
    """A leave request of ``student`` at school ``key`` (made once per world): ``open``
    (submitted) or ``decided`` (refused, with a statement and so a letter)."""
    def kwargs(w: Any) -> dict[str, int]:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from aanwezig.leave import services as leave_services
        from aanwezig.testing import factories as f

        attr = f"leave_{key}_{student}_{state}"
        if not hasattr(w, attr):
            child = getattr(w, student)
            link = child.guardian_links.select_related("guardian").first()
            guardian = link.guardian if link else f.make_guardian(child.school.board)
            if link is None:
                f.link_guardian(child, guardian)
            day = dt.date(2026, 11, 23) if state == "open" else dt.date(2026, 11, 30)
            leave = leave_services.submit_leave_request(
                child, guardian=guardian, kind="important_14", start_date=day, end_date=day,
                reason="Bruiloft.", actor=None,
                statement=SimpleUploadedFile("v.png", b"\x89PNG\r\n\x1a\n" + b"0" * 16))
            if state == "decided":
                leave_services.decide_leave_request(leave.leave, approve=False,
                                                    decision_text="Nee.", actor=None)
            setattr(w, attr, leave.leave)
        return {"school_id": getattr(w, f"school_{key}").pk, "pk": getattr(w, attr).pk}
    return kwargs


def child_leave(student: str, state: str, owner: str = "child_a",
                key: str = "a") -> Callable[[Any], dict[str, int]]:
    """Portal kwargs: ``student``'s page with a leave request of ``owner``."""
    return lambda w: {"pk": getattr(w, student).pk,
                      "leave_pk": leave_of(key, owner, state)(w)["pk"]}


def leave_page(w: Any) -> str:
    return reverse("leave_request", args=[w.school_a.pk, leave_of("a", "child_a", "decided")(w)["pk"]])


def portal_leave_page(w: Any) -> str:
    return reverse("portal_leave_request",
                   args=[w.child_a.pk, leave_of("a", "child_a", "decided")(w)["pk"]])


MATRIX.update({
    "portal_leave_home": [
        Case("own", expect={"parent_user": FOUND, "adult_parent_user": OK},
             redirect_to={"parent_user": lambda w: reverse("portal_leave", args=[w.child_a.pk])}),
    ],
    "portal_leave": [
        Case("Sam", lambda w: {"pk": w.child_a.pk}, {"parent_user": OK}),
        Case("Noor", lambda w: {"pk": w.classmate_a.pk}),
        Case("Yusuf without consent", lambda w: {"pk": w.adult.pk}),
        Case("Lotte", lambda w: {"pk": w.student_b.pk}),
    ],
    "portal_leave_request": [
        Case("Sam's open request", child_leave("child_a", "open"), {"parent_user": OK}),
        Case("Sam's decided request", child_leave("child_a", "decided"), {"parent_user": OK}),
        Case("Noor with Sam's request", child_leave("classmate_a", "open")),
        Case("Lotte's request", child_leave("student_b", "open", "student_b", "b")),
    ],
    "portal_leave_withdraw": [
        Case("Sam's decided request (final)", child_leave("child_a", "decided"),
             {"parent_user": FOUND}, method="post",
             redirect_to={"parent_user": portal_leave_page}),
        Case("Noor with Sam's request", child_leave("classmate_a", "decided"), method="post"),
    ],
    # HEAD: the test client drops the body, which is binary PDF (tested in test_leave_pages).
    "portal_leave_letter": [
        Case("Sam's decided request", child_leave("child_a", "decided"), {"parent_user": OK},
             method="head"),
        Case("Sam's open request (no letter yet)", child_leave("child_a", "open"),
             method="head"),
        Case("Noor with Sam's request", child_leave("classmate_a", "decided"), method="head"),
    ],
    "leave_requests": [
        Case("A", school("a"), A_WIDE),
        Case("B", school("b")),
        Case("C", school("c")),
    ],
    "leave_request": [
        Case("A:Sam's request", leave_of("a", "child_a", "open"), A_WIDE),
        Case("B with A's request", lambda w: {**leave_of("a", "child_a", "open")(w),
                                              "school_id": w.school_b.pk}),
        Case("A with B's request", lambda w: {**leave_of("b", "student_b", "open")(w),
                                              "school_id": w.school_a.pk}),
    ],
    "leave_decide": [
        Case("A:Sam's decided request (final)", leave_of("a", "child_a", "decided"),
             A_WIDE_FOUND, method="post", redirect_to=dict.fromkeys(A_WIDE, leave_page)),
        Case("B with A's request", lambda w: {**leave_of("a", "child_a", "open")(w),
                                              "school_id": w.school_b.pk}, method="post"),
    ],
    "leave_forward": [
        Case("A:Sam's decided request (final)", leave_of("a", "child_a", "decided"),
             A_WIDE_FOUND, method="post", redirect_to=dict.fromkeys(A_WIDE, leave_page)),
        Case("B with A's request", lambda w: {**leave_of("a", "child_a", "open")(w),
                                              "school_id": w.school_b.pk}, method="post"),
    ],
    "leave_statement": [
        Case("A:Sam's statement", leave_of("a", "child_a", "open"), A_WIDE, method="head"),
        Case("B with A's statement", lambda w: {**leave_of("a", "child_a", "open")(w),
                                                "school_id": w.school_b.pk}, method="head"),
    ],
    "leave_letter": [
        Case("A:Sam's decided request", leave_of("a", "child_a", "decided"), A_WIDE,
             method="head"),
        Case("A:Sam's open request (no letter yet)", leave_of("a", "child_a", "open"),
             method="head"),
        Case("B with A's request", lambda w: {**leave_of("a", "child_a", "decided")(w),
                                              "school_id": w.school_b.pk}, method="head"),
    ],
})

# --- portal: the student's own portal, consent, contacts and inbox -----------------------------
def portal_message_about_yusuf(w: Any, to: str) -> dict[str, int]:
    """A message about Yusuf to Yusuf himself (``to="student"``) or to his parent, who has no
    consent (``to="guardian"``); made once per world."""
    from aanwezig.notifications.models import Message

    attribute = f"yusuf_message_{to}"
    if not hasattr(w, attribute):
        now = dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC)
        setattr(w, attribute, Message.objects.create(
            school=w.school_c, event="monthly_overview", channel="portal", student=w.adult,
            recipient_kind=to, guardian=w.adult_parent if to == "guardian" else None,
            language="nl", subject="Zo was Yusuf er", body_text="Yusuf was er bij 96 lessen.",
            dedupe_key=f"matrix:{to}", status="sent", next_attempt_at=now, created_at=now,
        ))
    return {"pk": getattr(w, attribute).pk}


def portal_message_to_sams_parent(w: Any) -> dict[str, int]:
    reply_to_sams_message(w)
    return {"pk": w.sams_reply.message_id}


PORTAL_PEOPLE = {"parent_user": OK, "adult_user": OK, "adult_parent_user": OK}

MATRIX.update({
    "portal_student": [Case("own", expect={"adult_user": OK})],
    "portal_consent": [
        Case("own (19)", expect={"adult_user": OK}),
        Case("save (19)", expect={"adult_user": FOUND}, method="post",
             redirect_to={"adult_user": "portal_consent"}),
    ],
    "portal_inbox": [Case("own", expect=PORTAL_PEOPLE)],
    "portal_message": [
        Case("to Sam's parent", portal_message_to_sams_parent, {"parent_user": OK}),
        Case("to Sam's parent, reply (empty)", portal_message_to_sams_parent,
             {"parent_user": OK}, method="post"),
        Case("to Yusuf", lambda w: portal_message_about_yusuf(w, "student"), {"adult_user": OK}),
        Case("to Yusuf's parent, without consent",
             lambda w: portal_message_about_yusuf(w, "guardian")),
        Case("missing", lambda w: {"pk": 999_999}),
    ],
})

# --- the REST API (docs/api.md) --------------------------------------------------------------------
# The API itself answers tokens, not logins (aanwezig/api/tests); its operations have no URL
# names. The OpenAPI document and the interactive docs hold no school data and are public.

MATRIX.update({
    "api:api-root": [Case("API root (see the docs)", anonymous=NOT_FOUND)],
    "api:openapi-json": [Case("OpenAPI document", default=OK, anonymous=OK)],
    "api:openapi-view": [Case("interactive docs", default=OK, anonymous=OK)],
    # Attendance exports (docs/exports.md): who may see the page may download its figures.
    "export_school": [
        Case("A", school("a"), A_STAFF),
        Case("B", school("b"), {"teacher_b": OK}),
        Case("C", school("c")),
    ],
    "export_group": [
        Case("A:1A", school_obj("a", "a1"), {"teacher_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("A:2B", school_obj("a", "a2"), {"mentor_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("A with B's group", school_obj("a", "b1")),
    ],
    "export_student": [
        Case("A:Sam", school_obj("a", "child_a"), {"teacher_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("A:Daan", school_obj("a", "other_a"), {"mentor_a": OK, "officer_a": OK, "admin_a": OK}),
        Case("C:Yusuf", school_obj("c", "adult")),
        Case("A with B's student", school_obj("a", "student_b")),
    ],
})


#: URL prefixes whose patterns belong to Django itself; /admin/ is checked separately below.
SKIPPED_PREFIXES = ("admin/", "i18n/")


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """Yield (route, name) for every named URL pattern, following includes."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from walk(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, namespace + pattern.name


def project_urls() -> list[tuple[str, str]]:
    return [
        (route, name)
        for route, name in walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PREFIXES)
    ]


def test_every_named_url_has_an_entry_in_the_matrix():
    missing = sorted({name for _route, name in project_urls()} - set(MATRIX))
    assert not missing, f"add these URL names to MATRIX in {__file__}: {missing}"


def test_the_matrix_has_no_stale_entries():
    assert set(MATRIX) <= {name for _route, name in project_urls()}


@pytest.fixture
def frozen_today():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False):
        yield


def login_as(client: Any, world: Any, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(getattr(world, persona))


def forbidden_words(persona: str) -> set[str]:
    return (ALL_STUDENTS - MAY_SEE[persona]) | NEVER_WORDS.get(persona, set())


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(persona, world, client, frozen_today):
    failures = []
    for name, cases in MATRIX.items():
        for case in cases:
            login_as(client, world, persona)
            url = reverse(name, kwargs=case.kwargs(world))
            response = getattr(client, case.method)(url)
            expected = case.status_for(persona)
            where = f"{persona} {case.method.upper()} {name} [{case.label}] {url}"
            if response.status_code != expected:
                failures.append(f"{where}: {response.status_code}, expected {expected}")
                continue
            if expected == FOUND:
                spec = case.redirect_to.get(persona, LOGIN)
                target = spec(world) if callable(spec) else reverse(spec)
                location = response.headers["Location"]
                if location.split("#")[0].split("?")[0] != target:
                    failures.append(f"{where}: redirects to {location}, expected {target}")
            body = response.content.decode()
            leaked = sorted(word for word in forbidden_words(persona)
                            if re.search(rf"\b{re.escape(word)}\b", body))
            if leaked:
                failures.append(f"{where}: shows {leaked}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "admin_a"])
def test_admin_site_is_refused_to_everyone_but_administrators(persona, world, client):
    login_as(client, world, persona)
    response = client.get("/admin/")
    assert response.status_code in {302, 403, 404}
    if response.status_code == 302:
        assert response.headers["Location"].startswith(reverse("admin:login"))
    body = response.content.decode()
    assert not any(word in body for word in ALL_STUDENTS)


def test_administrator_gets_into_the_admin_site(world, client):
    client.force_login(world.admin_a)
    assert client.get("/admin/").status_code == 200
