"""Scoped reads of certification's records for pages and the API (DESIGN rule 3): one row the user may
see, or 404."""

from django.shortcuts import get_object_or_404

from ..models import Application, Certification, Document, Opinion, Review

APPLICATION_RELATED = ("enterprise", "enterprise__county", "submitted_by", "decided_by")
REVIEW_RELATED = ("certification__enterprise", "submitted_by", "decided_by")


def application_for(user, pk, action: str = "view") -> Application:
    return get_object_or_404(
        Application.objects.restrict(user, action).select_related(*APPLICATION_RELATED), pk=pk
    )


def review_for(user, pk, action: str = "view") -> Review:
    return get_object_or_404(Review.objects.restrict(user, action).select_related(*REVIEW_RELATED), pk=pk)


def certification_for(user, pk) -> Certification:
    return get_object_or_404(Certification.objects.restrict(user, "view").select_related("enterprise"), pk=pk)


def opinion_for(user, pk) -> Opinion:
    return get_object_or_404(
        Opinion.objects.restrict(user, "view").select_related("application", "department"), pk=pk
    )


def document_for(user, pk) -> Document:
    return get_object_or_404(Document.objects.restrict(user, "view"), pk=pk)


def opinions_of(application: Application):
    return application.opinions.select_related("department", "given_by").order_by(
        "department__sort_order", "department__code"
    )


def documents_of(parent):
    return parent.documents.select_related("criterion", "uploaded_by").order_by("criterion__sort_order", "id")
