"""AUT301: client code that sends a request again after a 403."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.facts import ModuleFacts
from authlint.analysis.retries import CLIENT_TRIGGERS
from authlint.rules.base import Invalid, Rule, Violation


class RetryOn403(Rule):
    """
    ## What it does
    Flags client code that tries a request again after the server answered
    403 Forbidden:

    - a `for`/`while` retry loop around a `requests`, `httpx`, `aiohttp` or
      `urllib3` call that `continue`s, sleeps and loops, or sends the request
      again after a check that the status is 403;
    - a method that calls itself again (`return self._request(...)`), a
      requests hook that sends the request again, or a Celery task that
      raises `self.retry(...)`, after such a check;
    - a retry policy that lists 403: urllib3 and requests
      `Retry(status_forcelist=...)` (also given to `HTTPAdapter`),
      httpx-retries `Retry`, aiohttp-retry `statuses=`, tenacity
      `retry_if_result`/`retry_if_exception` predicates, backoff and stamina
      predicates, google-api-core `if_exception_type(Forbidden)`, and a
      project's own `should_retry(response)` that answers true for 403.

    The finding sits on the status check or on the policy argument that names
    403.

    ## Why is this bad?
    403 means the server knows who is calling and refuses by policy: a role,
    scope or permission is missing. The same request with the same
    credentials gets the same answer; RFC 9110 says a client should not
    repeat it automatically. Retrying only multiplies refused requests,
    delays the error the user needs to see, and can trip the server's abuse
    detection or lock the account.

    ## Example
    ```python
    import time

    import requests


    def get_report(session: requests.Session, url: str) -> dict:
        for attempt in range(5):
            response = session.get(url, timeout=10)
            if response.status_code in (403, 503):
                time.sleep(2**attempt)
                continue
            response.raise_for_status()
            return response.json()
        raise RuntimeError("report service unavailable")
    ```

    ## Use instead
    ```python
    import time

    import requests


    def get_report(session: requests.Session, url: str) -> dict:
        for attempt in range(5):
            response = session.get(url, timeout=10)
            if response.status_code == 503:
                time.sleep(2**attempt)
                continue
            response.raise_for_status()
            return response.json()
        raise RuntimeError("report service unavailable")
    ```

    Some services answer rate limits with 403 (GitHub, Google APIs); retry
    those only when the response says so (`Retry-After`,
    `x-ratelimit-remaining: 0`, a `rateLimitExceeded` reason). Code that
    reads such evidence is not flagged.

    ## References
    - RFC 9110, §15.5.4 (403 Forbidden): "the client SHOULD NOT automatically
      repeat the request with the same credentials":
      <https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4>
    - RFC 6750, §3.1: `insufficient_scope` is a 403, `invalid_token` a 401:
      <https://www.rfc-editor.org/rfc/rfc6750#section-3.1>
    - CWE-280, Improper Handling of Insufficient Permissions or Privileges:
      <https://cwe.mitre.org/data/definitions/280.html>

    ## Known problems
    - Wording about rate limits, quotas or `Retry-After` in the check, in a
      name the check reads or in a later condition is taken as a rate-limit
      guard; in other code between the check and the retry it counts only
      when 429 is not retried as well, even when it only logs.
    - urllib3 retries a listed status only for the methods in
      `allowed_methods` (by default GET, PUT, DELETE, HEAD, OPTIONS and TRACE;
      an empty list or `None` means every method). Any list retries some
      requests, so the method list is not read; only `total=0`, `status=0`
      or `total=False` turn a policy's status retries off.
    - Loops that iterate over items (`for url in urls`) are not retry loops:
      their `continue` moves on, so they are never flagged. A `while` loop
      that goes on after a success (paging with `while url:`) retries only
      where nothing its condition reads has changed since the loop began;
      a change made through another name is not seen.
    - Files under `tests/` and files named `test_*.py` or `conftest.py` are
      not checked: tests mock refusals and poll their own servers.
    - Status sets computed at runtime, and predicates in other modules, are
      not followed.
    """

    code = "AUT301"
    name = "retry-on-403"
    summary = "Request retried after a 403 Forbidden"
    triggers = CLIENT_TRIGGERS
    cwe = (280,)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        client = facts.client
        for loop in client.loops:
            if 403 not in loop.retried or loop.retried.blanket:
                continue
            if 403 in loop.renewed or loop.rate_limited or loop.expiry:
                continue  # A refresh on 403 is AUT303's finding.
            yield Violation(
                loop.check,
                f"403 is retried ({loop.shape}): a refusal by policy gives the "
                "same answer again; stop and report the missing permission",
            )
        for policy in client.policies:
            if 403 not in policy.statuses or policy.statuses.blanket:
                continue
            if policy.refreshes:
                continue
            yield Violation(
                policy.node,
                f"{policy.what} retries 403: a refusal by policy gives the same "
                "answer again; retry 429 and 5xx only",
            )

    VALID = (
        # Retries on 429 and 5xx only.
        textwrap.dedent("""\
            from requests.adapters import HTTPAdapter, Retry
            import requests

            retry = Retry(total=5, status_forcelist=[429, 500, 502, 503, 504])
            session = requests.Session()
            session.mount("https://", HTTPAdapter(max_retries=retry))
            """),
        # A 403 that stops at once.
        textwrap.dedent("""\
            import httpx


            def fetch(client: httpx.Client, url: str) -> dict:
                for attempt in range(3):
                    response = client.get(url)
                    if response.status_code == 403:
                        raise PermissionError("no access to " + url)
                    if response.status_code >= 500:
                        continue
                    return response.json()
                raise RuntimeError("gave up")
            """),
        # GitHub answers rate limits with 403 and says so in its headers.
        textwrap.dedent("""\
            import time

            import requests


            def github_get(session: requests.Session, url: str):
                while True:
                    response = session.get(url)
                    remaining = response.headers.get("X-RateLimit-Remaining")
                    if response.status_code == 403 and remaining == "0":
                        reset = int(response.headers["X-RateLimit-Reset"])
                        time.sleep(max(reset - time.time(), 1))
                        continue
                    return response
            """),
        # A loop over items moves on to the next one.
        textwrap.dedent("""\
            import requests


            def reachable(urls):
                found = []
                for url in urls:
                    response = requests.get(url)
                    if response.status_code == 403:
                        continue
                    found.append(url)
                return found
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                from urllib3.util.retry import Retry
                from requests.adapters import HTTPAdapter

                adapter = HTTPAdapter(
                    max_retries=Retry(total=3, status_forcelist=(403, 429, 503))
                )
                """),
            lines=(5,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import asyncio

                import httpx


                async def download(client: httpx.AsyncClient, url: str) -> bytes:
                    while True:
                        response = await client.get(url)
                        if response.status_code == httpx.codes.FORBIDDEN:
                            await asyncio.sleep(1)
                            continue
                        return response.content
                """),
            lines=(9,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from tenacity import retry, retry_if_result, stop_after_attempt


                @retry(
                    retry=retry_if_result(lambda r: r.status_code == 403),
                    stop=stop_after_attempt(3),
                )
                def get_page(session, url):
                    return session.get(url)
                """),
            lines=(5,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import requests


                class ApiClient:
                    def __init__(self, base_url: str) -> None:
                        self.base_url = base_url
                        self.session = requests.Session()

                    def _request(self, method: str, path: str, retries: int = 3):
                        response = self.session.request(method, self.base_url + path)
                        if response.status_code == 403 and retries > 0:
                            return self._request(method, path, retries - 1)
                        response.raise_for_status()
                        return response.json()
                """),
            lines=(11,),
        ),
    )
