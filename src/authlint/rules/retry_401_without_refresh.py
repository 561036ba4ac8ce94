"""AUT302: client code that retries a 401 with the credentials that failed."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.facts import ModuleFacts
from authlint.analysis.retries import CLIENT_TRIGGERS
from authlint.rules.base import Invalid, Rule, Violation


class Retry401WithoutRefresh(Rule):
    """
    ## What it does
    Flags client code that sends a request again after a 401 Unauthorized
    without obtaining new credentials first:

    - a retry loop, a recursive call or a second request after a check that
      the status is 401, with no call that refreshes, re-authenticates or
      fetches a token (`refresh*`, `reauth*`, `login`, `get_token`,
      `fetch_token`, `acquire_token*`, `renew*`, `invalidate_token` or
      `clear_token` followed by a fresh fetch) and no new `Authorization`
      header or token assigned on the way;
    - a retry policy that lists 401: urllib3 and requests
      `Retry(status_forcelist=...)`, httpx-retries, aiohttp-retry
      `statuses=`, tenacity, backoff and stamina predicates,
      google-api-core `if_exception_type(Unauthorized)`. A policy cannot
      refresh credentials between its attempts.

    ## Why is this bad?
    401 says the credentials did not work: missing, expired, revoked or
    wrong. Sending the same ones again gets the same 401, while the error
    that would tell the user to sign in again or rotate a key is delayed by
    the whole backoff. Repeated failed authentications also count towards
    lockout and brute-force detection at the identity provider, so a retry
    loop can lock out a service account.

    The right reaction is to obtain a fresh credential once (refresh the
    access token, sign in again) and then retry once; if that fails too,
    stop.

    ## Example
    ```python
    import time

    import requests


    def list_orders(session: requests.Session, url: str) -> list:
        for attempt in range(3):
            response = session.get(url)
            if response.status_code == 401:
                time.sleep(1)
                continue
            response.raise_for_status()
            return response.json()
        raise RuntimeError("orders unavailable")
    ```

    ## Use instead
    ```python
    import requests


    def list_orders(session: requests.Session, url: str, auth) -> list:
        response = session.get(url, headers=auth.headers())
        if response.status_code == 401:
            auth.refresh_token()
            response = session.get(url, headers=auth.headers())
        response.raise_for_status()
        return response.json()
    ```

    ## References
    - RFC 9110, §15.5.2 (401 Unauthorized):
      <https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2>
    - RFC 6750, §3.1: `invalid_token` is a 401 and calls for a new token;
      `insufficient_scope` is a 403:
      <https://www.rfc-editor.org/rfc/rfc6750#section-3.1>
    - CWE-280, Improper Handling of Insufficient Permissions or Privileges:
      <https://cwe.mitre.org/data/definitions/280.html>

    ## Known problems
    - A refresh is recognised by its name. A project method with another name
      (`self.auth.rotate()`) is not seen as one, and the retry after it is
      flagged; rename it or suppress the line.
    - Any credential step on the way counts, even a cached `get_token()` that
      returns the same token again; a decorated function that obtains
      credentials anywhere in its body is trusted to do so before the
      policy's next attempt.
    - An `httpx.Auth.auth_flow` that refreshes and yields the request again is
      not flagged; one that yields it again without a refresh is.
    """

    code = "AUT302"
    name = "retry-401-without-refresh"
    summary = "Request retried after a 401 without new credentials"
    triggers = CLIENT_TRIGGERS
    cwe = (280,)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        client = facts.client
        for loop in client.loops:
            if 401 not in loop.retried or loop.retried.blanket:
                continue
            if loop.refreshed or loop.rate_limited:
                continue
            yield Violation(
                loop.check,
                f"401 is retried with the same credentials ({loop.shape}): "
                "refresh or re-issue the token first, then retry once",
            )
        for policy in client.policies:
            if 401 not in policy.statuses or policy.statuses.blanket:
                continue
            if policy.refreshes or policy.wrapped_renews:
                continue
            yield Violation(
                policy.node,
                f"{policy.what} retries 401 with the same credentials: "
                "refresh the token and retry once instead",
            )

    VALID = (
        # Refresh on 401, then one retry.
        textwrap.dedent("""\
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
            """),
        # httpx's own hook for this: refresh, then send once more.
        textwrap.dedent("""\
            import httpx


            class RefreshingAuth(httpx.Auth):
                def __init__(self, tokens) -> None:
                    self.tokens = tokens

                def auth_flow(self, request):
                    request.headers["Authorization"] = f"Bearer {self.tokens.access}"
                    response = yield request
                    if response.status_code == 401:
                        self.tokens.refresh()
                        token = self.tokens.access
                        request.headers["Authorization"] = f"Bearer {token}"
                        yield request
            """),
        # A 401 that stops at once.
        textwrap.dedent("""\
            import requests


            def whoami(session: requests.Session) -> dict:
                for attempt in range(3):
                    response = session.get("https://api.example.com/me")
                    if response.status_code == 401:
                        raise PermissionError("sign in again")
                    if response.status_code >= 500:
                        continue
                    return response.json()
                raise RuntimeError("service unavailable")
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                import requests
                from requests.adapters import HTTPAdapter
                from urllib3 import Retry

                session = requests.Session()
                retries = Retry(total=3, status_forcelist=[401, 502, 503])
                session.mount("https://", HTTPAdapter(max_retries=retries))
                """),
            lines=(6,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import asyncio

                import aiohttp


                async def poll(session: aiohttp.ClientSession, url: str) -> dict:
                    while True:
                        async with session.get(url) as response:
                            if response.status == 401:
                                await asyncio.sleep(5)
                                continue
                            return await response.json()
                """),
            lines=(9,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from aiohttp_retry import ExponentialRetry, RetryClient

                options = ExponentialRetry(attempts=4, statuses={401, 429})
                client = RetryClient(retry_options=options)
                """),
            lines=(3,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import requests


                def call(session: requests.Session, url: str, retries: int = 2):
                    response = session.post(url)
                    if response.status_code == 401 and retries:
                        return call(session, url, retries - 1)
                    return response
                """),
            lines=(6,),
        ),
    )
