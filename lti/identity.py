"""Who is launching: the educator claim the tool's parameter processor signs in the LMS.

Open edX sends an opaque ``sub``, so the processor adds the educator's national identifier as the
custom parameter ``temis_educator_id``. Course staff can edit an LTI block's custom parameters in
Studio, and lti-consumer-xblock lets those override the processor's, so a plain identifier would let
any course author open a colleague's workspace. The processor therefore signs the identifier with
the LMS's SECRET_KEY (the tool runs in the same LMS and checks it), and the signature expires with
the launch window. A platform outside this LMS whose custom parameters only its administrators set
can be trusted to send the plain identifier (Platform.trusts_educator_claim).
"""

from django.core import signing

# The custom parameter lti.parameter_processors sets in Open edX, and the launch view reads.
EDUCATOR_CLAIM = "temis_educator_id"
SALT = "temis_lti.educator_claim"
# The LMS makes the id_token at launch time; the tool reads it seconds later.
MAX_AGE_SECONDS = 600


class BadEducatorClaim(ValueError):
    """The claim is neither signed by this site nor from a platform trusted to send it plainly."""


def signed_educator_claim(reference: str) -> str:
    return signing.dumps(reference, salt=SALT)


def educator_reference(claim, platform) -> str | None:
    """The national identifier the launch names, None when it names none; BadEducatorClaim if forged."""
    if not claim:
        return None
    if not isinstance(claim, str):
        raise BadEducatorClaim("the educator claim must be text")
    try:
        reference = signing.loads(claim, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise BadEducatorClaim("the educator claim has expired") from None
    except signing.BadSignature:
        if platform.trusts_educator_claim:
            return claim
        raise BadEducatorClaim("the educator claim is not signed by this site") from None
    if not isinstance(reference, str):
        raise BadEducatorClaim("the educator claim is not an identifier")
    return reference
