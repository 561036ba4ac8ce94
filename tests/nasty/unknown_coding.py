# coding: klingon
from flask import abort
abort(403)
