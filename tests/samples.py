"""Source files shared by the end-to-end tests."""

# Flagged AUT101 at 8:15: the 403 answers a missing Authorization header.
REPORTS = """\
from flask import Flask, abort, request

app = Flask(__name__)

@app.get("/reports")
def reports():
    if "Authorization" not in request.headers:
        abort(403)
    return {"reports": []}
"""

# A syntax error in a file the pre-filter cannot skip (it mentions 403).
BROKEN = """\
from flask import abort

deny = = abort(403)
"""

# Nothing any rule looks for: the pre-filter skips it unparsed.
CLEAN = "def add(a, b):\n    return a + b\n"
