"""AUT304: a retry on every HTTP error, 401 and 403 included."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.facts import ModuleFacts
from authlint.analysis.retries import BLANKET_TRIGGERS
from authlint.rules.base import Invalid, Rule, Violation


class BlanketRetryIncludesAuthFailures(Rule):
    """
    ## What it does
    Flags a retry that covers every HTTP error, and so 401 and 403 too, around
    code that raises or returns on a 4xx:

    - tenacity's `@retry` without `retry=` (it retries every exception) or
      with `retry_if_exception_type(requests.HTTPError)`, around a function
      that calls `raise_for_status()`;
    - backoff `on_exception(..., requests.exceptions.RequestException)`
      without a `giveup` that stops on 4xx, around such a function;
    - backoff `on_predicate` with its default predicate on a function that
      returns a `requests.Response`: a response of 400 and above is falsy, so
      every 4xx is retried;
    - stamina `@retry(on=httpx.HTTPStatusError)` and a Celery task's
      `autoretry_for=(requests.RequestException,)` around
      `raise_for_status()`;
    - urllib3 `Retry(status_forcelist=range(400, 600))` and the like;
    - a hand-written retry loop that retries every non-success status
      (`if not response.ok`, `!= 200`, `>= 400`, every error but 404) or
      every `HTTPError` raised by `raise_for_status()`.

    A set of statuses is a blanket when it holds 401, 403 and most other
    client errors (at least three of 400, 404, 409 and 422); a written list
    such as `[401, 403, 429]` is reported as AUT301 and AUT302 instead.

    A blanket policy is reported here alone, not also as AUT301 or AUT302.
    A function that never raises on an HTTP status (it reads a file, say) is
    not flagged, whatever its decorator.

    ## Why is this bad?
    A retry helps with failures that pass: timeouts, 429, 502, 503. 401 and
    403 do not pass: the same credentials get the same refusal. A blanket
    retry turns each of them into several requests and a long backoff before
    the caller sees the error, and repeated failed authentications can lock
    the account at the identity provider.

    ## Example
    ```python
    import requests
    from tenacity import retry, stop_after_attempt, wait_exponential


    @retry(stop=stop_after_attempt(5), wait=wait_exponential())
    def fetch_invoice(session: requests.Session, invoice_id: str) -> dict:
        response = session.get(f"https://billing.example.com/invoices/{invoice_id}")
        response.raise_for_status()
        return response.json()
    ```

    ## Use instead
    ```python
    import requests
    from tenacity import retry, retry_if_exception, stop_after_attempt


    def is_transient(error: BaseException) -> bool:
        if isinstance(error, requests.HTTPError):
            return error.response.status_code in (429, 502, 503, 504)
        return isinstance(error, (requests.ConnectionError, requests.Timeout))


    @retry(retry=retry_if_exception(is_transient), stop=stop_after_attempt(5))
    def fetch_invoice(session: requests.Session, invoice_id: str) -> dict:
        response = session.get(f"https://billing.example.com/invoices/{invoice_id}")
        response.raise_for_status()
        return response.json()
    ```

    With backoff, add `giveup=lambda e: 400 <= e.response.status_code < 500
    and e.response.status_code != 429`.

    ## References
    - RFC 9110, §15.5.4: a client should not repeat a 403 with the same
      credentials: <https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4>
    - RFC 6750, §3.1: `invalid_token` (401) and `insufficient_scope` (403)
      both need something other than a retry:
      <https://www.rfc-editor.org/rfc/rfc6750#section-3.1>
    - CWE-280, Improper Handling of Insufficient Permissions or Privileges:
      <https://cwe.mitre.org/data/definitions/280.html>

    ## Known problems
    - Whether the wrapped code raises on 4xx is read from the function itself
      and the functions of the same module it calls directly; a helper from
      another module that calls `raise_for_status()` is not seen.
    - A `giveup` function that cannot be read is trusted to stop on 4xx.
    - tenacity `Retrying(...)` objects used outside a decorator are checked
      for explicit predicates only.
    - A file is only read when it names a retry (`retry`, `backoff`,
      `stamina`), a success test (`.ok`, `is_success`, `is_error`) or an auth
      status: a hand-written loop that retries on `status_code != 200`
      alone, in a file with none of those words, is not seen. Words as
      common as `status` would send most of a project to the parser.
    """

    code = "AUT304"
    name = "blanket-retry-includes-auth-failures"
    summary = "Retry on every HTTP error, 401 and 403 included"
    triggers = BLANKET_TRIGGERS
    cwe = (280,)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        client = facts.client
        for loop in client.loops:
            if not loop.retried.blanket:
                continue
            if loop.refreshed or loop.rate_limited:
                continue
            yield Violation(
                loop.check,
                f"Every error status is retried ({loop.shape}), 401 and 403 "
                "included; retry 429 and 5xx only",
            )
        for policy in client.policies:
            if policy.statuses.blanket and not policy.refreshes:
                yield Violation(
                    policy.node,
                    f"{policy.what} retries every HTTP error, 401 and 403 "
                    "included; retry 429, 5xx and connection errors only",
                )

    VALID = (
        # The decorated function never raises on an HTTP status.
        textwrap.dedent("""\
            import json

            from tenacity import retry


            @retry
            def load_settings(path: str) -> dict:
                with open(path) as handle:
                    return json.load(handle)
            """),
        textwrap.dedent("""\
            import backoff
            import requests


            def client_error(error: requests.HTTPError) -> bool:
                return 400 <= error.response.status_code < 500


            @backoff.on_exception(
                backoff.expo, requests.HTTPError, max_tries=5, giveup=client_error
            )
            def fetch(url: str) -> dict:
                response = requests.get(url, timeout=10)
                response.raise_for_status()
                return response.json()
            """),
        textwrap.dedent("""\
            import time

            import requests


            def fetch(url: str) -> dict:
                for attempt in range(4):
                    response = requests.get(url, timeout=10)
                    if response.status_code in (429, 502, 503):
                        time.sleep(2**attempt)
                        continue
                    response.raise_for_status()
                    return response.json()
                raise RuntimeError("gave up")
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                import backoff
                import requests


                @backoff.on_exception(
                    backoff.expo,
                    requests.exceptions.RequestException,
                    max_tries=5,
                )
                def fetch(url: str) -> dict:
                    response = requests.get(url, timeout=10)
                    response.raise_for_status()
                    return response.json()
                """),
            lines=(7,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import backoff
                import requests


                @backoff.on_predicate(backoff.expo, max_tries=4)
                def ping(url: str):
                    return requests.get(url, timeout=5)
                """),
            lines=(5,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import time

                import httpx


                def fetch(client: httpx.Client, url: str) -> bytes:
                    for attempt in range(5):
                        response = client.get(url)
                        if not response.is_success:
                            time.sleep(attempt)
                            continue
                        return response.content
                    raise RuntimeError("gave up")
                """),
            lines=(9,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import httpx
                import stamina


                @stamina.retry(on=httpx.HTTPStatusError, attempts=3)
                def get_user(client: httpx.Client, user_id: int) -> dict:
                    response = client.get(f"/users/{user_id}")
                    response.raise_for_status()
                    return response.json()
                """),
            lines=(5,),
        ),
    )
