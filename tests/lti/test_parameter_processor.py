"""The parameter processor Open edX's LTI block calls: it adds the launching educator's identifier."""

from xblock.reference.user_service import UserService, XBlockUser

from lti.parameter_processors import educator_claims


class LmsUserService(UserService):
    """The LMS's user service answers with the current user; the reference class leaves that abstract."""

    def get_current_user(self):
        return self._user


class LmsRuntimeStandIn:
    """The one thing the processor asks of the LMS runtime: its user service (edx-platform's shape)."""

    def __init__(self, user_id):
        user = XBlockUser(is_current_user=True)
        user.opt_attrs["edx-platform.user_id"] = user_id
        self.user_service = LmsUserService(user=user)

    def service(self, block, name):
        return self.user_service if name == "user" else None


class LtiBlockStandIn:
    def __init__(self, user_id):
        self.runtime = LmsRuntimeStandIn(user_id)


def test_educator_identifier_is_added_for_an_educator(people):
    from django.core import signing

    from lti.identity import SALT

    claim = educator_claims(LtiBlockStandIn(people["t2"].user.pk))
    assert list(claim) == ["temis_educator_id"] and signing.loads(claim["temis_educator_id"], salt=SALT) == "ID-t2"


def test_nothing_is_added_for_other_users(make_user, db):
    assert educator_claims(LtiBlockStandIn(make_user("learner").pk)) == {}
    assert educator_claims(LtiBlockStandIn(None)) == {}
