"""The LTI 1.3 vocabulary the tool reads and writes: claim names, service scopes, message types, roles.

Every 1EdTech URI lives here (LTI Core 1.3, Deep Linking 2.0, Assignment and Grade Services 2.0, Names
and Role Provisioning Services 2.0), so a misspelt one cannot hide in a single module. Plain Python.
"""

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DEPLOYMENT_ID_CLAIM = CLAIM + "deployment_id"
TARGET_LINK_URI_CLAIM = CLAIM + "target_link_uri"  # which page a placed link opens
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
# The claim is misspelt (no dot after purl) in the spec's prose and in libraries that copied it: read both.
ROLE_SCOPE_MENTOR = (CLAIM + "role_scope_mentor", "https://purlimsglobal.org/spec/lti/claim/role_scope_mentor")
MENTOR_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
MESSAGE_TYPES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)  # the launches the tool accepts

# OAuth2 scopes of the platform's services the tool asks a token for.
AGS_SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS_MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
