"""The stage's own domain (optional): CloudFront serves it with an ACM certificate, and the app's addresses follow.

Context: `domain_name` (e.g. telemed.clinic.ru) with `certificate_arn` (an issued ACM certificate for that
name in us-east-1, the only region CloudFront takes certificates from; request it beforehand, see README);
`mail_domain` (default: `domain_name`) for the sending address and the documents address. Without
`domain_name` the stage keeps the addresses of `.chalice/config.json` and CloudFront's own *.cloudfront.net
name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from constructs import Construct, Node

HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
CERTIFICATE = re.compile(r"^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/[0-9a-f-]+$")


@dataclass(frozen=True)
class SiteDomain:
    name: str | None = None
    certificate_arn: str | None = None
    mail_domain: str | None = None

    @classmethod
    def from_context(cls, node: Node) -> SiteDomain:
        name = node.try_get_context("domain_name") or None
        certificate = node.try_get_context("certificate_arn") or None
        mail = node.try_get_context("mail_domain") or None
        for label, value in (("domain_name", name), ("mail_domain", mail)):
            if value is not None and not HOSTNAME.match(value):
                raise ValueError(f"-c {label}={value!r}: a lower-case host name such as telemed.clinic.ru")
        if bool(name) != bool(certificate):
            raise ValueError(
                "-c domain_name=... and -c certificate_arn=... go together (CloudFront needs the "
                "certificate of its domain)"
            )
        if certificate is not None and not CERTIFICATE.match(certificate):
            raise ValueError(
                f"-c certificate_arn={certificate!r}: an ACM certificate ARN in us-east-1 "
                "(CloudFront takes certificates from there only)"
            )
        if mail is not None and name is None:
            raise ValueError("-c mail_domain=... is for a stage with its own -c domain_name=...")
        return cls(name, certificate, mail or name)

    def apply(self, variables: dict[str, str]) -> dict[str, str]:
        """The stage's variables with the public address (and so the uploads' CORS origin) and mail addresses
        under the stage's own domain."""
        if self.name is None:
            return variables
        mail = f"@{self.mail_domain}"
        return {
            **variables,
            "PUBLIC_BASE_URL": f"https://{self.name}",
            "MAIL_FROM": re.sub(r"@[^>\s]+", mail, variables["MAIL_FROM"]),
            "DOCUMENTS_ADDRESS": re.sub(r"@[^>\s]+", mail, variables["DOCUMENTS_ADDRESS"]),
        }

    def distribution_options(self, scope: Construct) -> dict[str, Any]:
        """Keyword arguments of cloudfront.Distribution: the alias and its certificate (SNI; TLSv1.2_2021 is
        the distribution's minimum protocol version, which CloudFront applies only with a certificate of one's
        own — with the default *.cloudfront.net certificate it allows TLSv1)."""
        if self.name is None:
            return {}
        return {
            "domain_names": [self.name],
            "certificate": acm.Certificate.from_certificate_arn(scope, "SiteCertificate", self.certificate_arn),
        }

    def site_url(self, distribution_domain: str) -> str:
        return f"https://{self.name}" if self.name else cdk.Fn.join("", ["https://", distribution_domain])
