"""Staff pages about messages: the log per student and per parent, the families no message
reaches, the text preview and the school's own texts, and handling parents' replies.

All for school-wide roles only (the same 404 as every other page); editing texts is for
administrators and school leaders.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aanwezig import access
from aanwezig.notifications import letters, queries, replies, texts
from aanwezig.notifications.models import Event
from aanwezig.roster.models import Language
from aanwezig.schools.models import School
from aanwezig.web.views import _school_context, school_page

REACH_WEEKS_DEFAULT = 4


@school_page
def student_messages(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """What was sent about a student and what the parents replied."""
    access.require_school_wide(request.user, school)
    student = access.get_student_for_user(request.user, school, pk, what="messages")
    context = _school_context(
        request, school,
        crumbs=[(student.full_name, reverse("student", args=[school.pk, student.pk])),
                (_("Messages"), None)],
        student=student, log=queries.student_messages(student),
        replies=queries.student_replies(student),
    )
    return render(request, "notifications/student_messages.html", context)


@school_page
def guardian_messages(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """What was sent to one parent or carer by this school."""
    access.require_school_wide(request.user, school)
    guardian = queries.get_guardian_at_school(school, pk)
    context = _school_context(
        request, school, crumbs=[(guardian.full_name, None), (_("Messages"), None)],
        guardian=guardian, students=queries.guardian_students(school, guardian),
        log=queries.guardian_messages(school, guardian),
    )
    return render(request, "notifications/guardian_messages.html", context)


@school_page
def reach(request: HttpRequest, school: School) -> HttpResponse:
    """Families no message has reached in the last weeks: phone them, or visit."""
    access.require_school_wide(request.user, school)
    try:
        weeks = max(1, min(52, int(request.GET.get("weken", REACH_WEEKS_DEFAULT))))
    except ValueError:
        weeks = REACH_WEEKS_DEFAULT
    since = timezone.now() - dt.timedelta(weeks=weeks)
    context = _school_context(
        request, school, crumbs=[(_("Families not reached"), None)], weeks=weeks,
        unreached=queries.hard_to_reach(school, since),
    )
    return render(request, "notifications/reach.html", context)


@school_page
@require_http_methods(["GET", "POST"])
def message_preview(request: HttpRequest, school: School) -> HttpResponse:
    """Show a message exactly as a parent gets it, for a real student; administrators and
    school leaders also write the school's own text here (or go back to the default)."""
    access.require_school_wide(request.user, school)
    may_edit = queries.may_edit_texts(request.user, school)
    data = request.POST if request.method == "POST" else request.GET
    event = str(data.get("bericht", ""))
    event = event if event in texts.EVENTS else str(Event.UNEXPLAINED_ABSENCE)
    language = str(data.get("taal", ""))
    language = language if language in texts.LANGUAGES else texts.DEFAULT_LANGUAGE
    number = data.get("leerling", "")
    back = f"{reverse('message_preview', args=[school.pk])}?" + urlencode(
        {"bericht": event, "taal": language, "leerling": number})
    if request.method == "POST":
        if not may_edit:
            raise Http404(access.NOT_FOUND)
        try:
            if data.get("actie") == "standaard":
                texts.reset_school_text(school, event=event, language=language,
                                        actor=request.user)
                messages.success(request, _("The default text is used again."))
            else:
                texts.save_school_text(school, event=event, language=language,
                                       subject=data.get("onderwerp", ""),
                                       body=data.get("tekst", ""), actor=request.user)
                messages.success(request, _("The school's own text is saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(back)
    student = queries.preview_student(request.user, school, number)
    own = queries.school_templates(school).get((event, language))
    default = texts.default_text(event, language)
    rendered = None
    if student is not None:
        today = timezone.localdate()
        context = texts.sample_context(event, student, today, language)
        rendered = texts.render_message(event, language, context, school)
        sms = texts.render_message(event, language, context, school, sms=True)[1]
    context = _school_context(
        request, school, crumbs=[(_("Message texts"), None)],
        message_events=Event.choices, message_languages=Language.choices, event=event, language=language,
        number=number, student=student, rendered=rendered, sms=sms if rendered else "",
        own=own, default=default, may_edit=may_edit,
        placeholders=texts.PLACEHOLDERS, direction="rtl" if language in texts.RTL_LANGUAGES else "ltr",
    )
    return render(request, "notifications/preview.html", context)


@school_page
@require_POST
def reply_handled(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The office marks a parent's reply as handled (afgehandeld)."""
    access.require_school_wide(request.user, school)
    reply = queries.get_reply(school, pk)
    replies.mark_reply_handled(reply, actor=request.user)
    messages.success(request, _("Reply marked as handled."))
    return redirect(reverse("student_messages", args=[school.pk, reply.student_id]))


@school_page
@require_http_methods(["GET", "POST"])
def letter_batches(request: HttpRequest, school: School) -> HttpResponse:
    """Letters waiting for print, earlier batches, and printing the next batch."""
    access.require_school_wide(request.user, school)
    if request.method == "POST":
        try:
            batch = letters.print_letter_batch(school, actor=request.user)
        except letters.NothingToPrint:
            messages.info(request, _("There are no letters waiting to be printed."))
        else:
            messages.success(request, _("The batch is ready: download the PDF, print it and post "
                                        "the letters."))
            return redirect(reverse("letter_batches", args=[school.pk]) + f"#batch-{batch.pk}")
        return redirect(reverse("letter_batches", args=[school.pk]))
    context = _school_context(
        request, school, crumbs=[(_("Letters"), None)],
        waiting=letters.waiting_letters(school), batches=letters.batches(school)[:50],
    )
    return render(request, "notifications/letters.html", context)


@school_page
def letter_batch_pdf(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The PDF of one batch of this school, for school-wide roles only."""
    access.require_school_wide(request.user, school)
    batch = queries.get_letter_batch(school, pk)
    path = letters.batch_path(batch)
    if not path.is_file():
        raise Http404(access.NOT_FOUND)
    response = HttpResponse(path.read_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="letters-{batch.created_at:%Y-%m-%d}-{batch.pk}.pdf"')
    response["Cache-Control"] = "private, no-store"
    return response
