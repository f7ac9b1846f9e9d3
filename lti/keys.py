"""The tool's RSA keys: generation, JWK export and signing. Plain Python over cryptography and PyJWT."""

import secrets

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ALGORITHM = "RS256"  # the only algorithm LTI 1.3 certification accepts from tools and platforms


def new_rsa_key() -> tuple[str, str, dict]:
    """(kid, private key PEM, public JWK) of a fresh 2048-bit key."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    kid = secrets.token_urlsafe(12)
    jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
    return kid, pem, jwk


def sign(payload: dict, private_pem: str, kid: str) -> str:
    return jwt.encode(payload, private_pem, algorithm=ALGORITHM, headers={"kid": kid})


def public_key_from_jwk(jwk: dict):
    return RSAAlgorithm.from_jwk(jwk)
