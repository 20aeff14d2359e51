"""Signing in to the portal: e-mail links, rate limits, accounts, invitations, preferences.

Parents and students sign in with a link sent by e-mail (docs/portal-signin.md):

* A link is a random token (``secrets.token_urlsafe``, 256 bits). Only its SHA-256 hash is
  stored (``LoginToken.token_hash``); the token itself exists only in the e-mail. A sign-in
  link works for ``LINK_VALID`` (15 minutes), an invitation for ``INVITE_VALID`` (7 days),
  each once: using it sets ``used_at`` by a conditional update, so two clicks at the same
  moment cannot both sign in.
* Asking for a link always gets the same answer, whether the address is known or not, so
  nobody can find out who has an account. Links go out through the message pipeline
  (``notifications.services.queue_message``), event ``portal_login`` or ``portal_invite``,
  channel e-mail, in the recipient's language.
* Rate limits (``LoginAttempt``): per ``WINDOW`` (15 minutes) at most ``LIMITS`` link
  requests per e-mail address and per IP address, and failed password logins per user
  name and per IP address. Over the limit nothing is sent and nothing is checked.
* Only portal accounts sign in by link: a login linked to a guardian (``Guardian.user``)
  or a student (``Student.user``) that holds no staff role and is not staff or superuser
  in the set-up admin. Staff sign in with their password.

Writes follow the services' rules: keyword-only ``actor`` (``None`` is the system), one
transaction, validation first with a Dutch ``ValidationError``, an audit row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig import access
from aanwezig.audit.services import record_change
from aanwezig.notifications import texts
from aanwezig.notifications.models import Message, RecipientKind
from aanwezig.notifications.services import Recipient, queue_message
from aanwezig.portal.models import LoginAttempt, LoginToken, TokenPurpose
from aanwezig.roster.models import Channel, Guardian, Language, Student, StudentGuardian
from aanwezig.schools.models import School, StaffRole
from aanwezig.schools.services import deny

#: How long a sign-in link and an invitation work.
LINK_VALID = dt.timedelta(minutes=15)
INVITE_VALID = dt.timedelta(days=7)
#: The rate limits count attempts in this window.
WINDOW = dt.timedelta(minutes=15)
#: Attempts are kept this long (for the limits and for looking into abuse), then removed.
KEEP_ATTEMPTS = dt.timedelta(days=1)
#: Used and expired links are removed this long after they expired.
KEEP_TOKENS = dt.timedelta(days=30)

#: ``LoginAttempt.kind``: what was tried, and by which key it is counted.
LINK_BY_EMAIL, LINK_BY_IP = "link-em", "link-ip"
PASSWORD_BY_USER, PASSWORD_BY_IP = "pw-user", "pw-ip"
#: At most this many per key in ``WINDOW``: link requests (all of them) and failed password
#: logins.
LIMITS = {LINK_BY_EMAIL: 5, LINK_BY_IP: 20, PASSWORD_BY_USER: 10, PASSWORD_BY_IP: 50}

#: ``Message.event`` of the e-mails with a link, and the folders of their texts.
EVENT_LOGIN, EVENT_INVITE = "portal_login", "portal_invite"
#: The parent languages (those of the message pipeline).
LANGUAGES = list(Language.choices)
#: What a link in an e-mail is replaced with once it was used (the outbox keeps the text).
USED_LINK = "…"


class LinkStatus:
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    UNKNOWN = "unknown"


class LinkNotValid(Exception):
    """The link cannot sign anybody in; ``status`` says why (expired, used, unknown)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


# --- tokens ---------------------------------------------------------------------------------------

def hash_token(token: str) -> str:
    """The SHA-256 hash (hex) under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(user: Any, purpose: str, now: dt.datetime) -> tuple[LoginToken, str]:
    """Store a new link for ``user`` and return it with the token (which is not stored)."""
    token = secrets.token_urlsafe(32)
    valid = INVITE_VALID if purpose == TokenPurpose.INVITE else LINK_VALID
    # Links that expired long ago say nothing any more; this user's index keeps it cheap.
    LoginToken.objects.filter(user=user, expires_at__lt=now - KEEP_TOKENS).delete()
    row = LoginToken.objects.create(user=user, token_hash=hash_token(token), purpose=purpose,
                                    created_at=now, expires_at=now + valid)
    return row, token


def link_url(token: str, base_url: str | None = None) -> str:
    """The absolute address of a link: ``base_url`` (the request's) or ``SITE_URL``."""
    base = (base_url or settings.SITE_URL).rstrip("/")
    return base + reverse("portal_link", args=[token])


def find_link(token: str, now: dt.datetime | None = None) -> tuple[str, LoginToken | None]:
    """Look a link up by its token: (status, row). Nothing is changed."""
    now = now or timezone.now()
    row = (LoginToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
           if token else None)
    if row is None:
        return LinkStatus.UNKNOWN, None
    if row.used_at is not None:
        return LinkStatus.USED, row
    if row.expires_at <= now or not may_sign_in_by_link(row.user):
        return LinkStatus.EXPIRED, row
    return LinkStatus.VALID, row


@transaction.atomic
def use_link(token: str, now: dt.datetime | None = None) -> LoginToken:
    """Use a link once and return it (its ``user`` signs in); raise ``LinkNotValid`` otherwise.

    1. Find the link by its hash; it must be unused, not expired, and its user may still
       sign in by link (a staff role given since makes it useless).
    2. Mark it used with a conditional update: of two clicks at once only one gets 1 row.
    3. Every other open link of the user stops working too, and the link is taken out of
       the e-mail text kept in the outbox.
    """
    now = now or timezone.now()
    status, row = find_link(token, now)
    if status != LinkStatus.VALID or row is None:
        raise LinkNotValid(status)
    if LoginToken.objects.filter(pk=row.pk, used_at__isnull=True,
                                 expires_at__gt=now).update(used_at=now) != 1:
        raise LinkNotValid(LinkStatus.USED)
    row.used_at = now
    LoginToken.objects.filter(user=row.user, used_at__isnull=True).update(used_at=now)
    _forget_link_text(row, token)
    return row


def _dedupe_key(row: LoginToken) -> str:
    event = EVENT_INVITE if row.purpose == TokenPurpose.INVITE else EVENT_LOGIN
    return f"{event}:{row.pk}"


def _forget_link_text(row: LoginToken, token: str) -> None:
    """Replace the used link in the outbox copy of its e-mail (and any fallback copy)."""
    for message in Message.objects.filter(dedupe_key__startswith=f"{_dedupe_key(row)}:"):
        message.body_text = message.body_text.replace(token, USED_LINK)
        message.body_html = message.body_html.replace(token, USED_LINK)
        message.save(update_fields=["body_text", "body_html"])


# --- who may sign in by link ------------------------------------------------------------------------

def is_staff_login(user: Any) -> bool:
    """Whether ``user`` works at a school or in the set-up admin: they use their password."""
    return bool(user.is_staff or user.is_superuser
                or StaffRole.objects.filter(user=user).exists())


def portal_person(user: Any) -> Guardian | Student | None:
    """The guardian or student record a login belongs to (a guardian first), or None."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    guardian = Guardian.objects.filter(user=user).first()
    if guardian is not None:
        return guardian
    return Student.objects.select_related("school").filter(user=user).first()


def may_sign_in_by_link(user: Any) -> bool:
    """Whether ``user`` is a portal account: active, a guardian or student, not staff."""
    return bool(user.is_active and not is_staff_login(user)
                and portal_person(user) is not None)


def _home_school(person: Guardian | Student) -> School | None:
    """The school that sends this person's e-mails: the student's, or a guardian's first
    child's (a guardian belongs to the board; their children may be at several schools)."""
    if isinstance(person, Student):
        return person.school
    link = (StudentGuardian.objects.filter(guardian=person).select_related("school")
            .order_by("pk").first())
    return link.school if link is not None else None


def _accounts_for(email: str) -> list[tuple[Any, str]]:
    """Portal accounts that ``email`` belongs to, each with the address as stored.

    An address belongs to a login when it is the login's user name or e-mail, or the
    e-mail address of the guardian the login is linked to (what the school registered).
    """
    user_model = get_user_model()
    found: dict[int, tuple[Any, str]] = {}
    for guardian in Guardian.objects.filter(email__iexact=email, user__isnull=False).select_related(
            "user"):
        found.setdefault(guardian.user_id, (guardian.user, guardian.email))  # type: ignore[arg-type]
    for user in user_model.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)):
        address = user.email if user.email.lower() == email.lower() else user.username
        found.setdefault(user.pk, (user, address))
    return [(user, address) for user, address in found.values() if may_sign_in_by_link(user)]


# --- rate limits ------------------------------------------------------------------------------------

def _normal(key: str) -> str:
    return key.strip().lower()[:200]


def is_limited(checks: list[tuple[str, str]], now: dt.datetime | None = None) -> bool:
    """Whether any (kind, key) pair reached its limit in the last ``WINDOW``.

    Link requests count all attempts, password logins only the failed ones.
    """
    now = now or timezone.now()
    for kind, key in checks:
        attempts = LoginAttempt.objects.filter(kind=kind, key=_normal(key), at__gt=now - WINDOW)
        if kind in (PASSWORD_BY_USER, PASSWORD_BY_IP):
            attempts = attempts.filter(success=False)
        if attempts.count() >= LIMITS[kind]:
            return True
    return False


def record_attempts(checks: list[tuple[str, str]], *, success: bool,
                    now: dt.datetime | None = None) -> None:
    """Write one attempt per (kind, key) pair, and remove attempts older than a day."""
    now = now or timezone.now()
    LoginAttempt.objects.filter(at__lt=now - KEEP_ATTEMPTS).delete()
    LoginAttempt.objects.bulk_create(
        [LoginAttempt(kind=kind, key=_normal(key), at=now, success=success)
         for kind, key in checks])


def password_checks(username: str, ip: str) -> list[tuple[str, str]]:
    return [(PASSWORD_BY_USER, username), (PASSWORD_BY_IP, ip or "-")]


# --- asking for a sign-in link ----------------------------------------------------------------------

@dataclass
class LinkRequest:
    """The answer to "send me a link": ``limited`` when over the limit (nothing sent).

    ``sent`` is for tests and logs only; the page never shows it, so that the answer for
    an unknown address is the same as for a known one.
    """

    limited: bool = False
    sent: int = 0


@transaction.atomic
def request_link(email: str, *, ip: str, base_url: str | None = None,
                 now: dt.datetime | None = None) -> LinkRequest:
    """Send a sign-in link to ``email`` when it belongs to a portal account.

    1. Over the limit for this address or this IP address: nothing is sent or recorded.
    2. The request is recorded (it counts towards the limits whether the address is known
       or not, so the limit says nothing about the address either).
    3. For each portal account of the address: a new link (15 minutes) in an e-mail in the
       recipient's language, through the message pipeline.
    """
    now = now or timezone.now()
    checks = [(LINK_BY_EMAIL, email), (LINK_BY_IP, ip or "-")]
    if is_limited(checks, now):
        return LinkRequest(limited=True)
    record_attempts(checks, success=True, now=now)
    sent = 0
    for user, address in _accounts_for(email.strip()):
        person = portal_person(user)
        if person is None:
            continue
        row, token = _new_token(user, TokenPurpose.LOGIN, now)
        if _send_link(person, user, address, row, token, base_url) is not None:
            sent += 1
    return LinkRequest(sent=sent)


def _recipient(person: Guardian | Student, user: Any, address: str) -> Recipient:
    if isinstance(person, Guardian):
        return Recipient(kind=RecipientKind.GUARDIAN, guardian=person, student=None, staff=None,
                         language=person.language, channel=Channel.EMAIL, address=address)
    language = texts.normal_language(getattr(user, "language", "") or texts.DEFAULT_LANGUAGE)
    return Recipient(kind=RecipientKind.STUDENT, guardian=None, student=person, staff=None,
                     language=language, channel=Channel.EMAIL, address=address)


def _send_link(person: Guardian | Student, user: Any, address: str, row: LoginToken,
               token: str, base_url: str | None,
               school: School | None = None) -> Message | None:
    """Queue the e-mail with the link (``portal_login`` or ``portal_invite``) to ``address``.

    Urgent, so the weekly cap never holds a link back (and links do not count towards it).
    """
    school = school or _home_school(person)
    if school is None:
        return None
    recipient = _recipient(person, user, address)
    audience = texts.STUDENT if isinstance(person, Student) else texts.PARENT
    event = EVENT_INVITE if row.purpose == TokenPurpose.INVITE else EVENT_LOGIN
    url = link_url(token, base_url)
    name = person.given_name if isinstance(person, Student) else person.full_name
    context = {
        **texts.school_context(school, recipient.language),
        "naam": name, "ouder": name, "link": url,
        "minuten": int(LINK_VALID.total_seconds() // 60), "dagen": INVITE_VALID.days,
    }
    subject, body, html = texts.render_message(event, recipient.language, context, school,
                                               audience=audience, channel=Channel.EMAIL)
    # The token has only URL-safe characters, so the escaped HTML holds the address as is.
    html = html.replace(url, f'<a href="{url}">{url}</a>')
    return queue_message(
        school=school, event=event, recipient=recipient, subject=subject, body_text=body,
        body_html=html, student=person if isinstance(person, Student) else None,
        dedupe_key=_dedupe_key(row), urgent=True,
    )


# --- accounts and invitations -----------------------------------------------------------------------

class InviteStatus:
    INVITED = "invited"
    ACTIVE = "active"  # the account has been used already: nothing to invite
    OPEN = "open"  # an earlier invitation still works: nothing sent again


@dataclass
class Invitation:
    status: str
    user: Any
    created: bool = False


def _person_name(person: Guardian | Student) -> str:
    return person.full_name


def login_address(user: Any) -> str:
    """The e-mail address of a login: its e-mail, or its user name when that is one."""
    if user is None:
        return ""
    return str(user.email or (user.username if "@" in user.username else ""))


def _contact_allowed(guardian: Guardian, school: School | None, day: dt.date) -> bool:
    """Whether the school may contact ``guardian`` about at least one child (at ``school``):
    the rules of ``recipients_for`` (receives messages; an adult child's consent)."""
    links = guardian.student_links.select_related("student")
    if school is not None:
        links = links.filter(school=school)
    return any(link.may_contact_on(day) for link in links)


def _check_invite_right(actor: Any, person: Guardian | Student, school: School) -> None:
    """School-wide roles of ``school`` invite its students and their parents (None: system)."""
    if actor is None:
        return
    if not access.is_school_wide(actor, school):
        raise deny()
    if isinstance(person, Student):
        belongs = person.school_id == school.pk
    else:
        belongs = person.student_links.filter(school=school).exists()
    if not belongs:
        raise deny()


def _validate_invite(person: Guardian | Student, email: str, school: School | None,
                     day: dt.date) -> Any:
    """Check an invitation before anything is written; return an existing login to reuse.

    Refused, in plain Dutch: no or a broken e-mail address, a person with no school here, an
    adult student's parent without the student's consent to contact, an address that
    belongs to a staff login or to someone else's account.
    """
    name = _person_name(person)
    if school is None:
        raise ValidationError(_("%(name)s is not linked to a student of a school."),
                              code="no_school", params={"name": name})
    if not email:
        raise ValidationError(
            _("%(name)s has no e-mail address. Add one first, then send the invitation."),
            code="no_email", params={"name": name})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("“%(email)s” is not a valid e-mail address."),
                              code="invalid_email", params={"email": email}) from None
    if isinstance(person, Guardian) and not _contact_allowed(person, school, day):
        raise ValidationError(
            _("%(name)s is not invited: the student is 18 or older and has not agreed that the "
              "school contacts this parent, or this parent receives no messages."),
            code="no_consent", params={"name": name})
    own = person.user
    if own is not None:
        if is_staff_login(own):
            raise ValidationError(
                _("%(name)s is linked to a staff login, which signs in with its password."),
                code="staff_login", params={"name": name})
        return own
    user_model = get_user_model()
    for user in user_model.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)):
        if is_staff_login(user):
            raise ValidationError(
                _("The address %(email)s belongs to a staff login. Link that login to "
                  "%(name)s in the set-up admin, or use another address."),
                code="staff_email", params={"email": email, "name": name})
        linked = portal_person(user)
        if linked is not None and linked != person:
            raise ValidationError(
                _("The address %(email)s already belongs to the account of someone else. Each "
                  "parent or student needs their own e-mail address."),
                code="email_taken", params={"email": email})
        return user
    return None


@transaction.atomic
def invite(person: Guardian | Student, *, actor: Any, school: School | None = None,
           email: str = "", base_url: str | None = None,
           now: dt.datetime | None = None) -> Invitation:
    """Give ``person`` (a guardian or a student) a portal account and send an invitation.

    1. Validate: an e-mail address (the guardian's; for a student their login's, or
       ``email``), contact allowed, the address not someone else's (see ``_validate_invite``).
    2. The account: the person's own login, an unlinked login with that address, or a
       new one (user name = e-mail, no usable password, the record's language), linked as
       ``Guardian.user`` / ``Student.user``. A guardian belongs to the board: one account
       sees the children at every school of the board.
    3. Nothing is sent when the account was used already (``ACTIVE``) or an earlier
       invitation still works (``OPEN``); otherwise a link valid for 7 days goes out
       through the message pipeline (event ``portal_invite``), sent by ``school`` (default:
       the student's school, or a guardian's first child's).
    4. An audit row on the guardian or student says what happened.
    """
    now = now or timezone.now()
    school = school or _home_school(person)
    if school is not None:
        _check_invite_right(actor, person, school)
    day = timezone.localdate(now)
    if isinstance(person, Guardian):
        email = (email or person.email).strip()
    else:
        email = (email or login_address(person.user)).strip()
    user = _validate_invite(person, email, school, day)
    assert school is not None  # _validate_invite refuses a person without a school
    created = user is None
    if user is None:
        language = person.language if isinstance(person, Guardian) else texts.DEFAULT_LANGUAGE
        names = {"first_name": person.given_name[:150], "last_name": " ".join(
            p for p in [person.prefix, person.last_name] if p)[:150]}
        user = get_user_model().objects.create_user(username=email, email=email, password=None,
                                                    language=language, **names)
    if person.user_id != user.pk:
        person.user = user
        person.save(update_fields=["user"])
    student = person if isinstance(person, Student) else None
    if user.last_login is not None:
        status = InviteStatus.ACTIVE
    elif LoginToken.objects.filter(user=user, purpose=TokenPurpose.INVITE, used_at__isnull=True,
                                   expires_at__gt=now).exists():
        status = InviteStatus.OPEN
    else:
        row, token = _new_token(user, TokenPurpose.INVITE, now)
        _send_link(person, user, email, row, token, base_url, school=school)
        status = InviteStatus.INVITED
    if created or status == InviteStatus.INVITED:
        record_change(actor=actor, action="portal_invite", obj=person, student=student,
                      changes={"user": user.pk, "account_created": created, "status": status,
                               "school": school.pk})
    return Invitation(status=status, user=user, created=created)


@dataclass
class InviteReport:
    """What inviting a group of people did (or, in a dry run, would do)."""

    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def add(self, key: str) -> None:
        self.counts[key] += 1


def _guardians_of(students: Any) -> list[Guardian]:
    """The guardians linked to ``students``, once each."""
    seen: dict[int, Guardian] = {}
    for link in (StudentGuardian.objects.filter(student__in=students)
                 .select_related("guardian").order_by("guardian_id")):
        seen.setdefault(link.guardian_id, link.guardian)
    return list(seen.values())


def invite_guardians(school: School, students: Any, *, actor: Any, dry_run: bool = False,
                     base_url: str | None = None, now: dt.datetime | None = None) -> InviteReport:
    """Invite the guardians of ``students`` (of ``school``) who have an e-mail address and
    no account yet; count what happened per guardian.

    Counts: ``invited``; ``has_account`` (already linked to a login); ``no_email``;
    ``no_consent`` (an adult child's parent without consent, or no messages); ``refused``
    (another reason, listed in ``problems``). Each invitation runs in its own transaction,
    so one refusal does not stop the others. A dry run writes nothing.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    report = InviteReport()
    for guardian in _guardians_of(students):
        if guardian.user_id is not None:
            report.add("has_account")
            continue
        if not guardian.email.strip():
            report.add("no_email")
            continue
        if not _contact_allowed(guardian, school, day):
            report.add("no_consent")
            continue
        if dry_run:
            try:
                _validate_invite(guardian, guardian.email.strip(), school, day)
            except ValidationError as exc:
                report.add("refused")
                report.problems.append(" ".join(exc.messages))
                continue
            report.add("invited")
            continue
        try:
            result = invite(guardian, actor=actor, school=school, base_url=base_url, now=now)
        except ValidationError as exc:
            report.add("refused")
            report.problems.append(" ".join(exc.messages))
            continue
        report.add("invited" if result.status == InviteStatus.INVITED else "has_account")
    return report


def current_students(school: School, day: dt.date) -> Any:
    """The students enrolled at ``school`` on ``day``."""
    return Student.objects.filter(
        Q(enrolment_end__isnull=True) | Q(enrolment_end__gte=day),
        school=school, enrolment_start__lte=day,
    )


# --- preferences ------------------------------------------------------------------------------------

def channel_choices(guardian: Guardian) -> list[tuple[str, str]]:
    """The channels a guardian may prefer: those the school has contact details for."""
    usable = {Channel.PORTAL} if guardian.user_id else set()
    if guardian.email:
        usable.add(Channel.EMAIL)
    if guardian.phone:
        usable |= {Channel.SMS, Channel.PHONE}
    if guardian.address.strip():
        usable.add(Channel.LETTER)
    return [(str(value), str(label)) for value, label in Channel.choices if value in usable]


@transaction.atomic
def save_preferences(user: Any, *, actor: Any, language: str,
                     preferred_channel: str | None = None,
                     monthly_overview: bool | None = None) -> dict[str, Any]:
    """Save a parent's or student's own preferences; return the changes (audited).

    A parent: language (on ``Guardian.language`` and ``User.language``), preferred channel
    (only one the school has contact details for) and the monthly overview. A student:
    language. Only the person themself changes them.
    """
    person = portal_person(user)
    if person is None or actor is None or actor.pk != user.pk:
        raise deny()
    errors: dict[str, list[str]] = {}
    if language not in dict(LANGUAGES):
        errors["language"] = [_("Choose one of the languages in the list.")]
    if isinstance(person, Guardian) and preferred_channel is not None \
            and preferred_channel not in dict(channel_choices(person)):
        errors["preferred_channel"] = [
            _("The school has no contact details for this channel. Choose another one.")]
    if errors:
        raise ValidationError(errors)
    changes: dict[str, Any] = {}
    if user.language != language:
        changes["language"] = [user.language, language]
        user.language = language
        user.save(update_fields=["language"])
    if isinstance(person, Guardian):
        fields: dict[str, Any] = {"language": language}
        if preferred_channel is not None:
            fields["preferred_channel"] = preferred_channel
        if monthly_overview is not None:
            fields["monthly_overview"] = monthly_overview
        for name, value in fields.items():
            old = getattr(person, name)
            if old != value:
                changes[name] = [old, value]
                setattr(person, name, value)
        if changes:
            person.save()
    if changes:
        record_change(actor=actor, action="update_preferences", obj=person,
                      student=person if isinstance(person, Student) else None, changes=changes)
    return changes


@transaction.atomic
def set_password(user: Any, *, actor: Any, password: str) -> None:
    """Give a portal account a password (Django's validators), so ``/login/`` works too.

    Only the person themself, signed in; audited without the password, of course.
    """
    person = portal_person(user)
    if person is None or actor is None or actor.pk != user.pk or is_staff_login(user):
        raise deny()
    validate_password(password, user)
    had = user.has_usable_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    record_change(actor=actor, action="update_preferences", obj=person,
                  student=person if isinstance(person, Student) else None,
                  changes={"password": "changed" if had else "set"})


@transaction.atomic
def remove_password(user: Any, *, actor: Any) -> bool:
    """Go back to signing in by e-mail link only; False when there was no password."""
    person = portal_person(user)
    if person is None or actor is None or actor.pk != user.pk or is_staff_login(user):
        raise deny()
    if not user.has_usable_password():
        return False
    user.set_unusable_password()
    user.save(update_fields=["password"])
    record_change(actor=actor, action="update_preferences", obj=person,
                  student=person if isinstance(person, Student) else None,
                  changes={"password": "removed"})
    return True


# --- where to go after signing in -------------------------------------------------------------------

def portal_home_url() -> str:
    """The portal's home page, or the start page while the portal has none."""
    try:
        return reverse("portal_home")
    except NoReverseMatch:
        return reverse("start")
