"""AUT303: client code that refreshes credentials because of a 403."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.facts import ModuleFacts
from authlint.analysis.retries import CLIENT_TRIGGERS
from authlint.rules.base import Invalid, Rule, Violation


class RefreshOn403(Rule):
    """
    ## What it does
    Flags client code that refreshes a token, signs in again or re-issues
    credentials because the server answered 403 Forbidden, alone or together
    with 401 (`if response.status_code in (401, 403): refresh()`), and
    google-auth sessions configured to refresh on 403
    (`AuthorizedSession(credentials, refresh_status_codes=(401, 403))`).

    A refresh on 403 that is then retried is reported once, here, not also as
    AUT301.

    ## Why is this bad?
    403 means the credentials were accepted and the caller lacks a
    permission. A new token carries the same identity and the same
    permissions, so the request fails again: every refused call now costs a
    round trip to the identity provider too ("token churn"). Under load that
    becomes a storm of token requests that the provider throttles, and then
    calls that would have worked fail as well. It also hides the real
    problem, a missing role or scope, behind a loop that looks like an
    authentication hiccup.

    ## Example
    ```python
    import requests


    class Client:
        def __init__(self, auth) -> None:
            self.auth = auth
            self.session = requests.Session()

        def get(self, url: str):
            response = self.session.get(url, headers=self.auth.headers())
            if response.status_code in (401, 403):
                self.auth.refresh_token()
                response = self.session.get(url, headers=self.auth.headers())
            return response
    ```

    ## Use instead
    ```python
    import requests


    class Client:
        def __init__(self, auth) -> None:
            self.auth = auth
            self.session = requests.Session()

        def get(self, url: str):
            response = self.session.get(url, headers=self.auth.headers())
            if response.status_code == 401:
                self.auth.refresh_token()
                response = self.session.get(url, headers=self.auth.headers())
            return response
    ```

    ## References
    - RFC 9110, §15.5.4 (403 Forbidden): new credentials will not help:
      <https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4>
    - RFC 6750, §3.1: `invalid_token` (401) asks for a new token,
      `insufficient_scope` (403) for more privileges:
      <https://www.rfc-editor.org/rfc/rfc6750#section-3.1>
    - CWE-280, Improper Handling of Insufficient Permissions or Privileges:
      <https://cwe.mitre.org/data/definitions/280.html>

    ## Known problems
    - Some services answer an expired signature with 403 (S3 and Azure
      presigned URLs: "Request has expired"); a refresh guarded by such
      wording (`expired`, `ExpiredToken`, `SignatureDoesNotMatch`) is not
      flagged, a refresh on 403 without it is, even for those services.
    - A refresh is recognised by its name (`refresh*`, `reauth*`, `login`,
      `get_token`, ...) or by a new `Authorization` header or token being
      assigned.
    """

    code = "AUT303"
    name = "refresh-on-403"
    summary = "Credentials refreshed because of a 403 Forbidden"
    triggers = CLIENT_TRIGGERS
    cwe = (280,)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        client = facts.client
        for loop in client.loops:
            if 403 not in loop.renewed or loop.renewed.blanket:
                continue
            if loop.expiry or loop.rate_limited:
                continue
            yield Violation(
                loop.check,
                "Credentials are refreshed on 403: a new token carries the same "
                "permissions; refresh on 401 only and stop on 403",
            )
        for policy in client.policies:
            if policy.refreshes and 403 in policy.statuses:
                yield Violation(
                    policy.node,
                    f"{policy.what} refreshes credentials on 403: a new token "
                    "carries the same permissions; keep the default (401,)",
                )

    VALID = (
        textwrap.dedent("""\
            import google.auth
            from google.auth.transport.requests import AuthorizedSession

            credentials, project = google.auth.default()
            session = AuthorizedSession(credentials)
            """),
        textwrap.dedent("""\
            import requests


            def download(session: requests.Session, url: str, signer):
                response = session.get(url)
                expired = "Request has expired" in response.text
                if response.status_code == 403 and expired:
                    url = signer.refresh_url(url)
                    response = session.get(url)
                return response
            """),
        textwrap.dedent("""\
            import httpx


            def fetch(client: httpx.Client, url: str, tokens):
                response = client.get(url, headers=tokens.headers())
                if response.status_code == 401:
                    tokens.refresh()
                    response = client.get(url, headers=tokens.headers())
                elif response.status_code == 403:
                    raise PermissionError(url)
                return response
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                import google.auth
                from google.auth.transport.requests import AuthorizedSession

                credentials, _ = google.auth.default()
                session = AuthorizedSession(
                    credentials, refresh_status_codes=(401, 403)
                )
                """),
            lines=(6,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import requests


                class Client:
                    def __init__(self) -> None:
                        self.session = requests.Session()

                    def request(self, method, url):
                        while True:
                            response = self.session.request(method, url)
                            if response.status_code == 403:
                                self.login()
                                continue
                            return response
                """),
            lines=(11,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import httpx


                async def call(client: httpx.AsyncClient, url: str, auth):
                    try:
                        response = await client.get(url, headers=auth.headers)
                        response.raise_for_status()
                    except httpx.HTTPStatusError as error:
                        if error.response.status_code == 403:
                            await auth.reauthenticate()
                        raise
                    return response.json()
                """),
            lines=(9,),
        ),
    )
