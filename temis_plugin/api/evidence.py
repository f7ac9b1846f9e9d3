"""Evidence (minh chứng) backing the self-assessment: the educator's library of files and links, the
criteria each item backs, and the permission-checked reading of a file.

An upload is checked before it is stored: its size, its type (by its name, and as the browser declared
it) and that its content is of that type.
"""

import mimetypes

from django.conf import settings
from django.db import transaction

from .. import standards
from ..data import EvaluationData, EvidenceData
from ..errors import InvalidInput, NotFound
from ..models import Evaluation, Evidence, EvidenceLink
from ..permissions import Relation, relations
from ..uploads import content_matches
from ..workflow import Action
from ._evaluation_records import checked_sheet, commit, evaluation_data, evidence_data, lock_for_write
from ._shared import checked_text, educator_of, own_educator, positive_int


def list_evidence(user) -> list[EvidenceData]:
    educator = educator_of(user)
    if educator is None:
        return []
    return [evidence_data(e) for e in educator.evidence.order_by("-created", "-id")]


def add_evidence(user, name: str, *, description: str = "", file=None, url: str = "") -> EvidenceData:
    """Store an evidence item (a file through Django's storage, or a link) for the acting educator."""
    educator = own_educator(user)
    name = checked_text(name, "name").strip()
    if not name:
        raise InvalidInput("evidence needs a name")
    if bool(file) == bool(url):
        raise InvalidInput("evidence is either a file or a link, not both or neither")
    evidence = Evidence(owner=educator, name=name[:255], description=checked_text(description, "description"))
    if url:
        evidence.url = _validated_url(url)
    else:
        _check_upload(file)
        evidence.original_filename = _safe_filename(file.name)
        evidence.content_type = getattr(file, "content_type", "") or mimetypes.guess_type(file.name)[0] or ""
        evidence.size = file.size
        evidence.file.save(file.name, file, save=False)
    try:
        evidence.save()
    except Exception:
        if evidence.file:
            evidence.file.delete(save=False)  # no orphaned file when the row could not be written
        raise
    return evidence_data(evidence)


def link_evidence(
    user, evaluation_id: int, expected_version: int, evidence_id: int, criteria: list[int]
) -> EvaluationData:
    """Make one evidence item back the given criteria (replacing the criteria it backed before)."""
    with transaction.atomic():
        evaluation, found = lock_for_write(evaluation_id, expected_version, user, Action.EDIT_SELF)
        framework = standards.get_framework(evaluation.framework_code)
        pk = positive_int(evidence_id)
        evidence = Evidence.objects.filter(pk=pk, owner=evaluation.educator).first() if pk else None
        if evidence is None:
            raise NotFound(f"no evidence {str(evidence_id)[:40]}")  # also for another educator's evidence
        wanted = sorted(set(checked_sheet(standards.known_criteria, framework, criteria)))
        links = EvidenceLink.objects.filter(evaluation=evaluation, evidence=evidence)
        before = sorted(links.values_list("criterion", flat=True))
        links.exclude(criterion__in=wanted).delete()
        EvidenceLink.objects.bulk_create(
            [EvidenceLink(evaluation=evaluation, evidence=evidence, criterion=n) for n in wanted if n not in before]
        )
        commit(
            evaluation, user, Action.EDIT_SELF, f"evidence:{evidence.pk}", {"criteria": before}, {"criteria": wanted}
        )
    return evaluation_data(evaluation, found)


def open_evidence_file(user, evidence_id: int):
    """An evidence file, opened for reading, with its description.

    Its owner may open it, and so may whoever reads the trail of an evaluation it backs (the head,
    oversight roles). Anyone else is told it does not exist, as for an unknown id, so ids cannot be
    probed. Returns ``(EvidenceData, file)``; the caller closes the file.
    """
    pk = positive_int(evidence_id)
    evidence = Evidence.objects.select_related("owner").filter(pk=pk).first() if pk else None
    if evidence is None or not evidence.file or not _may_open_evidence(user, evidence):
        raise NotFound(f"no evidence file {evidence_id}")
    try:
        handle = evidence.file.open("rb")
    except OSError:
        raise NotFound(f"no evidence file {evidence_id}") from None
    return evidence_data(evidence), handle


def _may_open_evidence(user, evidence: Evidence) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if evidence.owner.user_id == user.pk:
        return True
    backed = Evaluation.objects.filter(evidence_links__evidence=evidence).distinct()
    return any(relations(user, evaluation) & {Relation.HEAD, Relation.OVERSIGHT} for evaluation in backed)


def _validated_url(url) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    url = checked_text(url, "url").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise InvalidInput("the link must be an http(s) address") from None
    return url


def _safe_filename(name: str) -> str:
    # Only the last path component, whatever separators a browser sent.
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255]


def _check_upload(file):
    limit = settings.TEMIS_EVIDENCE_MAX_BYTES
    if file.size > limit:
        raise InvalidInput(f"the file is larger than the limit of {limit // (1024 * 1024)} MB")
    allowed = settings.TEMIS_EVIDENCE_CONTENT_TYPES
    declared = getattr(file, "content_type", None)
    guessed = mimetypes.guess_type(_safe_filename(file.name))[0]
    if guessed not in allowed or (declared and declared != guessed):
        raise InvalidInput("this type of file is not accepted as evidence")
    if not content_matches(guessed, file):
        raise InvalidInput("the file's content does not match its type")
