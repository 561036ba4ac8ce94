from flask import Flask, abort, request

app = Flask(__name__)


@app.get("/reports")
def reports():
    if "Authorization" not in request.headers:
        abort(403)
    return (
        t"reports for "
        t"{request.remote_addr}"
    )
