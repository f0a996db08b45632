"""The baseline page: a tiny Flask app returning a fixed HTML string, and nothing else.

Served by the same gunicorn.conf.py as the real app, it shows what the server, Flask and the load
generator cost on their own, so the real page's figure can be read as a fraction of that.
"""

from flask import Flask

PAGE = "<!doctype html><html><head><title>Baseline</title></head><body><h1>Baseline</h1></body></html>"

app = Flask(__name__)


@app.get("/")
def index():
    return PAGE
