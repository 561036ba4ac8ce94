from flask import Flask, abort, request

app = Flask(__name__)


type Report = dict[str, list[int]]


@app.get("/reports")
def reports[T]() -> Report:
    if "Authorization" not in request.headers:
        abort(403)
    return {"reports": []}
