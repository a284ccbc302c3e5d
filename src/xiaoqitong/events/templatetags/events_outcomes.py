"""``{% event_outcome_links event %}``: the outcome pages of an event the current user may open (propose an
intention, the survey, the organizer's intentions and survey summary, the minutes and commitments), as a row
of buttons for the event's page."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import EventStatus, RegistrationStatus
from ..policies.dialogues import may_read_minutes
from ..policies.outcomes import answers_for, proposing_side
from ..policies.registrations import is_organizer, own_registration

register = template.Library()


def outcome_links(user, event) -> list[dict]:
    """``[{label, url, icon}]`` for ``user`` at ``event``; two queries at most."""
    if event.status == EventStatus.DRAFT:
        return []
    links = []
    organizer = is_organizer(user, event)
    own = own_registration(user, event) if not organizer else None
    approved = own is not None and own.status == RegistrationStatus.APPROVED
    ended = timezone.now() >= event.ends_at
    if organizer:
        links.append(
            {
                "label": _("签约意向"),
                "url": reverse("events:event_intentions", args=[event.pk]),
                "icon": "pen",
            }
        )
        links.append(
            {
                "label": _("问卷汇总"),
                "url": reverse("events:survey_summary", args=[event.pk]),
                "icon": "clipboard-data",
            }
        )
    elif approved and proposing_side(user) and event.status == EventStatus.PUBLISHED:
        links.append(
            {
                "label": _("发起签约意向"),
                "url": reverse("events:intention_propose", args=[event.pk]),
                "icon": "pen",
            }
        )
    if approved and ended and answers_for(user, own) and event.status == EventStatus.PUBLISHED:
        links.append(
            {
                "label": _("活动问卷"),
                "url": reverse("events:event_survey", args=[event.pk]),
                "icon": "ui-checks",
            }
        )
    if event.type.has_minutes and may_read_minutes(user, event):
        links.append(
            {
                "label": _("会议纪要与承诺事项"),
                "url": reverse("events:event_minutes", args=[event.pk]),
                "icon": "journal-text",
            }
        )
    return links


@register.inclusion_tag("events/outcomes/_event_links.html", takes_context=True)
def event_outcome_links(context, event):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"links": outcome_links(user, event) if user is not None and user.is_authenticated else []}
