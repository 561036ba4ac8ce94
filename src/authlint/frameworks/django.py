"""Django's responses, exceptions, decorators and mixins."""

from __future__ import annotations

from authlint.frameworks.spec import BodySpec, ResponseSpec, Slot, argument, body, fixed

_HTTP_MODULES = ("django.http", "django.http.response")

RESPONSES: dict[str, ResponseSpec] = {
    "django.core.exceptions.PermissionDenied": fixed(403),
    "django.http.Http404": fixed(404),
    "django.shortcuts.render": argument(4, "status", 200),
    **{f"{m}.HttpResponse": argument(2, "status", 200) for m in _HTTP_MODULES},
    **{f"{m}.JsonResponse": argument(None, "status", 200) for m in _HTTP_MODULES},
    **{f"{m}.HttpResponseForbidden": fixed(403) for m in _HTTP_MODULES},
    **{f"{m}.HttpResponseNotFound": fixed(404) for m in _HTTP_MODULES},
    **{f"{m}.HttpResponseBadRequest": fixed(400) for m in _HTTP_MODULES},
    **{f"{m}.Http404": fixed(404) for m in _HTTP_MODULES},
}

# ``PermissionDenied``'s text is not shown to the client (Django renders its
# 403 page, DRF answers its own generic message), so it has no entry here.
_HEADERS = Slot(5, "headers")
BODIES: dict[str, BodySpec] = {
    **{
        f"{m}.HttpResponse": body(0, "content", headers=_HEADERS) for m in _HTTP_MODULES
    },
    **{
        f"{m}.HttpResponseForbidden": body(0, "content", headers=_HEADERS)
        for m in _HTTP_MODULES
    },
    **{
        f"{m}.JsonResponse": body(0, "data", headers=Slot(None, "headers"))
        for m in _HTTP_MODULES
    },
}

# Mixins whose ``raise_exception = True`` answers anonymous callers with 403.
ACCESS_MIXINS = (
    "django.contrib.auth.mixins.AccessMixin",
    "django.contrib.auth.mixins.LoginRequiredMixin",
    "django.contrib.auth.mixins.PermissionRequiredMixin",
    "django.contrib.auth.mixins.UserPassesTestMixin",
)
LOGIN_REQUIRED_MIXINS = ("django.contrib.auth.mixins.LoginRequiredMixin",)

LOGIN_REQUIRED = ("django.contrib.auth.decorators.login_required",)
PERMISSION_REQUIRED = ("django.contrib.auth.decorators.permission_required",)
METHOD_DECORATOR = ("django.utils.decorators.method_decorator",)
