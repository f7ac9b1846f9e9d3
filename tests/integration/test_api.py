"""The plugin's Python API: the evaluation workflow, permissions, evidence, audit and retirement."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from temis_plugin import api
from temis_plugin.errors import ConcurrentEdit, InvalidInput, NotAllowed, NotFound
from temis_plugin.models import AuditEntry, Evaluation, Evidence, MentorGroup, RoleAssignment
from temis_plugin.permissions import Relation, relations
from temis_plugin.retirement import retire_user
from temis_plugin.workflow import InvalidTransition

ALL_K = {n: "K" for n in range(1, 16)}
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def draft(cycle, people):
    return api.get_or_create_evaluation(people["t1"].user)


def submitted(evaluation, user, levels=ALL_K):
    evaluation = api.save_self_assessment(user, evaluation.id, evaluation.version, levels=levels)
    return api.submit_self_assessment(user, evaluation.id, evaluation.version)


def test_teacher_gets_tt20_evaluation_with_legal_basis(draft, people):
    assert draft.framework_code == "TT20-2018" and draft.state == "draft"
    assert draft.legal_basis == "Thông tư 20/2018/TT-BGDĐT, Điều 10 khoản 2"
    assert set(draft.allowed_actions) == {"edit_self", "submit"}
    again = api.get_or_create_evaluation(people["t1"].user)
    assert again.id == draft.id and Evaluation.objects.count() == 1


def test_principal_gets_tt14(cycle, people):
    assert api.get_or_create_evaluation(people["principal"].user).framework_code == "TT14-2018"


def test_full_workflow_rating_computed_by_engine(draft, people):
    t1, t2, head = people["t1"].user, people["t2"].user, people["principal"].user
    evaluation = api.save_self_assessment(
        t1,
        draft.id,
        draft.version,
        levels={"1": "T", 2: "K"},
        strengths="Chủ động",
        plan={"goals": "CNTT"},
        training_needs=[{"criterion": 15}],
    )
    assert evaluation.self_levels == {1: "T", 2: "K"} and evaluation.self_rating is None
    with pytest.raises(InvalidInput, match="missing"):
        api.submit_self_assessment(t1, evaluation.id, evaluation.version)
    evaluation = submitted(evaluation, t1, {**ALL_K, 1: "T"})
    assert evaluation.state == "submitted" and evaluation.self_rating == "KHA"
    opinion = api.add_colleague_opinion(t2, evaluation.id, {n: "T" for n in range(1, 16)}, strengths="Tốt")
    assert opinion.rating == "TOT"
    summary = api.summarize_opinions(head, evaluation.id)
    assert summary.count == 1 and summary.per_criterion[3] == {"T": 1} and summary.per_rating == {"TOT": 1}
    evaluation = api.get_evaluation(head, evaluation.id)
    assert evaluation.state == "opinions" and "finalize" in evaluation.allowed_actions
    final = api.finalize_evaluation(
        head, evaluation.id, evaluation.version, levels={n: "T" for n in range(1, 16)}, comment="Xuất sắc"
    )
    assert final.state == "finalized" and final.final_rating == "TOT"
    actions = [e.action for e in api.audit_trail(head, final.id)]
    assert actions == ["create", "edit_self", "edit_self", "submit", "add_opinion", "finalize"]


def test_finalized_changes_only_by_audited_reopening(draft, people):
    t1, head = people["t1"].user, people["principal"].user
    evaluation = submitted(draft, t1)
    evaluation = api.finalize_evaluation(head, evaluation.id, evaluation.version, levels=ALL_K)
    with pytest.raises(InvalidTransition):
        api.save_final_levels(head, evaluation.id, evaluation.version, {1: "T"})
    with pytest.raises(InvalidInput, match="reason"):
        api.reopen_evaluation(head, evaluation.id, evaluation.version, "  ")
    with pytest.raises(NotAllowed):
        api.reopen_evaluation(t1, evaluation.id, evaluation.version, "tôi muốn sửa")
    reopened = api.reopen_evaluation(head, evaluation.id, evaluation.version, "Sai sót khi nhập mức tiêu chí 1")
    assert reopened.state == "opinions" and reopened.final_rating is None
    entry = AuditEntry.objects.filter(action="reopen").get()
    assert entry.reason == "Sai sót khi nhập mức tiêu chí 1" and entry.before["final_rating"] == "KHA"
    back = api.reopen_evaluation(head, reopened.id, reopened.version, "Giáo viên bổ sung minh chứng", to_draft=True)
    assert back.state == "draft"


def test_stale_version_is_refused_not_overwritten(draft, people):
    t1 = people["t1"].user
    first = api.save_self_assessment(t1, draft.id, draft.version, levels={1: "T"})
    with pytest.raises(ConcurrentEdit) as raised:
        api.save_self_assessment(t1, draft.id, draft.version, levels={1: "D"})  # second tab, old version
    assert raised.value.current_version == first.version
    assert api.get_evaluation(t1, draft.id).self_levels == {1: "T"}


@pytest.mark.parametrize(
    "levels, message",
    [({16: "T"}, "no criterion"), ({1: "X"}, "unknown level"), ({"a": "T"}, "not a criterion"), ([1], "must map")],
)
def test_tampered_levels_change_nothing(draft, people, levels, message):
    with pytest.raises(InvalidInput, match=message):
        api.save_self_assessment(people["t1"].user, draft.id, draft.version, levels=levels)
    assert Evaluation.objects.get().version == draft.version


def test_permissions_follow_relations(draft, people, school_tree, make_user):
    evaluation = submitted(draft, people["t1"].user)
    with pytest.raises(NotFound):
        api.get_evaluation(people["other"].user, evaluation.id)  # another school: looks missing
    with pytest.raises(NotAllowed):
        api.add_colleague_opinion(people["principal"].user, evaluation.id, ALL_K)  # head is not a colleague
    with pytest.raises(NotFound):
        api.add_colleague_opinion(people["t3"].user, evaluation.id, ALL_K)  # other subject group
    with pytest.raises(NotAllowed):
        api.finalize_evaluation(people["t2"].user, evaluation.id, evaluation.version, levels=ALL_K)
    officer = make_user("officer")
    RoleAssignment.objects.create(user=officer, role="commune_officer", unit=school_tree["X1"])
    assert api.get_evaluation(officer, evaluation.id).allowed_actions == []  # oversight reads only
    outsider = make_user("officer2")
    RoleAssignment.objects.create(user=outsider, role="commune_officer", unit=school_tree["X2"])
    with pytest.raises(NotFound):
        api.get_evaluation(outsider, evaluation.id)


def test_superior_not_principal_finalizes_a_principal(cycle, people, school_tree, make_user):
    principal = people["principal"].user
    evaluation = api.get_or_create_evaluation(principal)
    all_k = {n: "K" for n in range(1, 19)}
    evaluation = submitted(evaluation, principal, all_k)
    api.add_colleague_opinion(people["t1"].user, evaluation.id, all_k)  # teachers give opinions on the head
    superior = make_user("sup")
    RoleAssignment.objects.create(user=superior, role="commune_officer", unit=school_tree["X1"])
    school_admin = make_user("sa")
    RoleAssignment.objects.create(user=school_admin, role="school_admin", unit=school_tree["S1"])
    evaluation = api.get_evaluation(superior, evaluation.id)
    with pytest.raises(NotFound):  # a school administrator has no part in the principal's evaluation
        api.finalize_evaluation(school_admin, evaluation.id, evaluation.version, levels=all_k)
    assert api.finalize_evaluation(superior, evaluation.id, evaluation.version, levels=all_k).final_rating == "KHA"


def test_evidence_files_links_and_tampering(draft, people, settings):
    t1, t2 = people["t1"].user, people["t2"].user
    pdf = api.add_evidence(t1, "Giáo án", file=SimpleUploadedFile("../../etc/giao an.pdf", PDF, "application/pdf"))
    assert pdf.kind == "file" and pdf.original_filename == "giao an.pdf"
    stored = Evidence.objects.get(pk=pdf.id).file.name
    assert stored.startswith("temis/evidence/") and "giao" not in stored and ".." not in stored
    link = api.add_evidence(t1, "Video tiết dạy", url="https://example.org/tiet-day")
    evaluation = api.link_evidence(t1, draft.id, draft.version, pdf.id, [4, 5])
    evaluation = api.link_evidence(t1, evaluation.id, evaluation.version, link.id, [5])
    assert [e.name for e in evaluation.evidence[5]] == ["Giáo án", "Video tiết dạy"]
    theirs = api.add_evidence(t2, "Của người khác", url="https://example.org/x")
    with pytest.raises(NotFound):
        api.link_evidence(t1, evaluation.id, evaluation.version, theirs.id, [1])
    with pytest.raises(InvalidInput, match="no criteria"):
        api.link_evidence(t1, evaluation.id, evaluation.version, pdf.id, [99])
    with pytest.raises(InvalidInput, match="type of file"):
        api.add_evidence(t1, "x", file=SimpleUploadedFile("x.exe", b"MZ", "application/x-msdownload"))
    with pytest.raises(InvalidInput, match="type of file"):
        api.add_evidence(t1, "x", file=SimpleUploadedFile("x.pdf", b"MZ", "text/html"))
    with pytest.raises(InvalidInput, match="larger"):
        api.add_evidence(
            t1, "x", file=SimpleUploadedFile("x.pdf", b"0" * (settings.TEMIS_EVIDENCE_MAX_BYTES + 1), "application/pdf")
        )
    with pytest.raises(InvalidInput, match="http"):
        api.add_evidence(t1, "x", url="javascript:alert(1)")
    assert Evidence.objects.count() == 3


def test_mentor_lists_mentees_with_status(draft, people, cycle):
    group = MentorGroup.objects.create(cycle=cycle, code="G1", mentor=people["t2"])
    group.memberships.create(mentee=people["t1"])
    group.memberships.create(mentee=people["t3"])
    mentees = api.list_mentees(people["t2"].user)
    assert [(m.educator.full_name, m.evaluation_state) for m in mentees] == [("Người t1", "draft"), ("Người t3", None)]
    assert Relation.MENTOR in relations(people["t2"].user, Evaluation.objects.get(pk=draft.id))


def test_self_assessment_closes_on_the_cycle_date(draft, people, cycle):
    import datetime

    cycle.self_assessment_closes_on = datetime.date(2020, 1, 1)
    cycle.save()
    with pytest.raises(NotAllowed, match="closed"):
        api.save_self_assessment(people["t1"].user, draft.id, draft.version, levels={1: "T"})


def test_retirement_keeps_anonymous_aggregates(draft, people):
    t1, head = people["t1"].user, people["principal"].user
    evidence = api.add_evidence(t1, "Giáo án", file=SimpleUploadedFile("a.pdf", PDF, "application/pdf"))
    evaluation = api.save_self_assessment(t1, draft.id, draft.version, levels=ALL_K, strengths="Riêng tư")
    evaluation = api.link_evidence(t1, evaluation.id, evaluation.version, evidence.id, [1])
    evaluation = api.submit_self_assessment(t1, evaluation.id, evaluation.version)
    api.finalize_evaluation(head, evaluation.id, evaluation.version, levels=ALL_K, comment="Nhận xét riêng")
    stored_file = Evidence.objects.get().file
    storage, name = stored_file.storage, stored_file.name
    assert retire_user(t1) is True
    row = Evaluation.objects.get()
    assert row.final_rating == "KHA" and row.self_levels == "K" * 15  # aggregates survive
    assert row.strengths == "" and row.final_comment == ""
    assert not Evidence.objects.exists() and not storage.exists(name)
    assert all(e.before is None and e.after is None for e in AuditEntry.objects.filter(evaluation=row))
    assert api.get_educator(t1) is None


def test_a_school_administrator_does_not_rate_their_own_evaluation(people, cycle):
    teacher = people["t1"]
    RoleAssignment.objects.create(user=teacher.user, role="school_admin", unit=teacher.school)
    own = api.get_or_create_evaluation(teacher.user)
    assert Relation.HEAD not in relations(teacher.user, Evaluation.objects.get(pk=own.id))
    other = api.get_or_create_evaluation(people["t2"].user)
    assert Relation.HEAD in relations(teacher.user, Evaluation.objects.get(pk=other.id))
    with pytest.raises(NotAllowed):
        api.save_final_levels(teacher.user, own.id, own.version, {1: "T"})
